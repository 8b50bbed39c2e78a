#ifndef CURL_SHIM_H
#define CURL_SHIM_H

#include <stddef.h>

/// One HTTP exchange for curl_shim_perform. The callbacks run on the calling thread, during
/// the call; `context` is passed back to each.
typedef struct CurlShimRequest {
    const char *method;
    const char *url;
    const char *const *headers;  /// "Name: value" lines
    size_t header_count;
    const unsigned char *body;   /// NULL for no body
    size_t body_length;
    long timeout_ms;             /// whole exchange
    long connect_timeout_ms;
    void *context;
    /// Response body bytes; return `length` to go on, anything else aborts.
    size_t (*on_body)(void *context, const char *bytes, size_t length);
    /// One response header line (status lines included); return `length` to go on.
    size_t (*on_header)(void *context, const char *bytes, size_t length);
    /// Non-zero aborts the exchange (cancellation); asked a few times a second and on progress.
    int (*should_abort)(void *context);
} CurlShimRequest;

/// How an exchange ended.
typedef struct CurlShimResult {
    int code;          /// libcurl's CURLcode: 0 is success
    long status;       /// the HTTP status of the last response
    char error[256];   /// libcurl's message when code is not 0
} CurlShimResult;

/// Well-known CURLcode values the caller maps.
enum {
    CURL_SHIM_OK = 0,
    CURL_SHIM_UNAVAILABLE = -1,         /// libcurl could not be loaded
    CURL_SHIM_COULDNT_RESOLVE_HOST = 6,
    CURL_SHIM_COULDNT_CONNECT = 7,
    CURL_SHIM_OPERATION_TIMEDOUT = 28,
    CURL_SHIM_ABORTED_BY_CALLBACK = 42,
};

/// Loads libcurl on first use (dlopen), once per process. 0 when it is available; otherwise
/// writes why into `error`.
int curl_shim_load(char *error, size_t error_length);

/// Runs one exchange to its end on the calling thread (blocking). Connections are kept in a
/// small pool of handles for the next exchange to the same host.
void curl_shim_perform(const CurlShimRequest *request, CurlShimResult *result);

#endif
