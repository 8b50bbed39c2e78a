// Calls libcurl (the system's, the one Foundation's URLSession is built on) through dlopen, so
// the agent does not pay for loading it and its dependencies until its first HTTP request.
// libcurl's option numbers and function signatures below are its stable ABI (curl/curl.h).

#include "curl_shim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void CURL;
struct curl_slist;
typedef int64_t curl_off_t;

enum {
    OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_POSTFIELDS = 10015, OPT_HTTPHEADER = 10023,
    OPT_HEADERDATA = 10029, OPT_CUSTOMREQUEST = 10036, OPT_XFERINFODATA = 10057,
    OPT_ACCEPT_ENCODING = 10102, OPT_WRITEFUNCTION = 20011, OPT_HEADERFUNCTION = 20079,
    OPT_XFERINFOFUNCTION = 20219, OPT_POSTFIELDSIZE_LARGE = 30120, OPT_NOPROGRESS = 43,
    OPT_NOBODY = 44, OPT_FOLLOWLOCATION = 52, OPT_NOSIGNAL = 99, OPT_TIMEOUT_MS = 155,
    OPT_CONNECTTIMEOUT_MS = 156,
};
enum { INFO_RESPONSE_CODE = 0x200002, GLOBAL_DEFAULT = 3 };

static struct {
    int (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    int (*easy_setopt)(CURL *, int option, ...);
    int (*easy_perform)(CURL *);
    int (*easy_getinfo)(CURL *, int info, ...);
    const char *(*easy_strerror)(int);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];
static int loaded;

static void load(void) {
    const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};
    void *library = NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names && !library; i++) library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(load_error, sizeof load_error, "libcurl could not be loaded: %s", dlerror());
        return;
    }
#define SYMBOL(field, name)                                                                   \
    *(void **)(&curl.field) = dlsym(library, name);                                           \
    if (!curl.field) {                                                                        \
        snprintf(load_error, sizeof load_error, "libcurl has no %s", name);                   \
        return;                                                                               \
    }
    SYMBOL(global_init, "curl_global_init")
    SYMBOL(easy_init, "curl_easy_init")
    SYMBOL(easy_cleanup, "curl_easy_cleanup")
    SYMBOL(easy_reset, "curl_easy_reset")
    SYMBOL(easy_setopt, "curl_easy_setopt")
    SYMBOL(easy_perform, "curl_easy_perform")
    SYMBOL(easy_getinfo, "curl_easy_getinfo")
    SYMBOL(easy_strerror, "curl_easy_strerror")
    SYMBOL(slist_append, "curl_slist_append")
    SYMBOL(slist_free_all, "curl_slist_free_all")
#undef SYMBOL
    if (curl.global_init(GLOBAL_DEFAULT) != 0) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed");
        return;
    }
    loaded = 1;
}

int curl_shim_load(char *error, size_t error_length) {
    pthread_once(&load_once, load);
    if (!loaded && error && error_length) snprintf(error, error_length, "%s", load_error);
    return loaded ? 0 : -1;
}

// A few idle handles, so the next exchange reuses their connections (and TLS sessions).
enum { POOL_SIZE = 8 };
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static CURL *pool[POOL_SIZE];
static int pooled;

static CURL *take_handle(void) {
    CURL *handle = NULL;
    pthread_mutex_lock(&pool_lock);
    if (pooled > 0) handle = pool[--pooled];
    pthread_mutex_unlock(&pool_lock);
    return handle ? handle : curl.easy_init();
}

static void give_back(CURL *handle) {
    curl.easy_reset(handle);  // Options go; the connection and DNS caches stay.
    pthread_mutex_lock(&pool_lock);
    if (pooled < POOL_SIZE) {
        pool[pooled++] = handle;
        handle = NULL;
    }
    pthread_mutex_unlock(&pool_lock);
    if (handle) curl.easy_cleanup(handle);
}

static int on_progress(void *context, curl_off_t down_total, curl_off_t down_now, curl_off_t up_total, curl_off_t up_now) {
    (void)down_total; (void)down_now; (void)up_total; (void)up_now;
    const CurlShimRequest *request = context;
    return request->should_abort(request->context);
}

static size_t on_body(char *bytes, size_t size, size_t count, void *context) {
    const CurlShimRequest *request = context;
    return request->on_body(request->context, bytes, size * count);
}

static size_t on_header(char *bytes, size_t size, size_t count, void *context) {
    const CurlShimRequest *request = context;
    return request->on_header(request->context, bytes, size * count);
}

void curl_shim_perform(const CurlShimRequest *request, CurlShimResult *result) {
    memset(result, 0, sizeof *result);
    if (curl_shim_load(result->error, sizeof result->error) != 0) {
        result->code = CURL_SHIM_UNAVAILABLE;
        return;
    }
    CURL *handle = take_handle();
    if (!handle) {
        result->code = CURL_SHIM_UNAVAILABLE;
        snprintf(result->error, sizeof result->error, "curl_easy_init failed");
        return;
    }
    struct curl_slist *headers = NULL;
    for (size_t i = 0; i < request->header_count; i++) headers = curl.slist_append(headers, request->headers[i]);
    // No "Expect: 100-continue" round trip before a body; no default Accept either.
    headers = curl.slist_append(headers, "Expect:");
    curl.easy_setopt(handle, OPT_URL, request->url);
    curl.easy_setopt(handle, OPT_NOSIGNAL, 1L);
    curl.easy_setopt(handle, OPT_FOLLOWLOCATION, 0L);
    curl.easy_setopt(handle, OPT_ACCEPT_ENCODING, "");
    curl.easy_setopt(handle, OPT_TIMEOUT_MS, request->timeout_ms);
    curl.easy_setopt(handle, OPT_CONNECTTIMEOUT_MS, request->connect_timeout_ms);
    if (strcmp(request->method, "HEAD") == 0) {
        curl.easy_setopt(handle, OPT_NOBODY, 1L);
    } else {
        curl.easy_setopt(handle, OPT_CUSTOMREQUEST, request->method);
    }
    if (request->body) {
        curl.easy_setopt(handle, OPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_length);
        curl.easy_setopt(handle, OPT_POSTFIELDS, (const char *)request->body);
    }
    curl.easy_setopt(handle, OPT_HTTPHEADER, headers);
    curl.easy_setopt(handle, OPT_WRITEFUNCTION, on_body);
    curl.easy_setopt(handle, OPT_WRITEDATA, (void *)request);
    curl.easy_setopt(handle, OPT_HEADERFUNCTION, on_header);
    curl.easy_setopt(handle, OPT_HEADERDATA, (void *)request);
    curl.easy_setopt(handle, OPT_NOPROGRESS, 0L);
    curl.easy_setopt(handle, OPT_XFERINFOFUNCTION, on_progress);
    curl.easy_setopt(handle, OPT_XFERINFODATA, (void *)request);
    result->code = curl.easy_perform(handle);
    if (result->code == 0) {
        curl.easy_getinfo(handle, INFO_RESPONSE_CODE, &result->status);
    } else {
        snprintf(result->error, sizeof result->error, "%s", curl.easy_strerror(result->code));
    }
    curl.easy_setopt(handle, OPT_HTTPHEADER, (struct curl_slist *)NULL);
    curl.slist_free_all(headers);
    // A failed exchange may leave its connection in a bad state: do not pool that handle.
    if (result->code == 0) {
        give_back(handle);
    } else {
        curl.easy_cleanup(handle);
    }
}
