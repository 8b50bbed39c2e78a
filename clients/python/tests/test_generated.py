"""The generated methods match protocol/openrpc.json, and the error classes its error codes."""

import importlib.util
import inspect
import json
from pathlib import Path

import cloud_agent
from cloud_agent import METHOD_NAMES, Agent, AsyncAgent, CloudAgentError, error_class_for_code
from conftest import CLIENT_DIR, SPEC


def load_generator():
    spec = importlib.util.spec_from_file_location("generate", CLIENT_DIR / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_file_is_up_to_date():
    expected = load_generator().render(SPEC)
    committed = (CLIENT_DIR / "cloud_agent" / "_methods.py").read_text(encoding="utf-8")
    assert committed == expected, "cloud_agent/_methods.py is out of date: run clients/python/generate.py"
    # The package under test (installed, or the source tree) carries the same file.
    import cloud_agent._methods as methods

    assert Path(methods.__file__).read_text(encoding="utf-8") == expected


def test_every_request_method_has_a_keyword_only_wrapper():
    doc = json.loads(SPEC.read_text(encoding="utf-8"))
    requests = [m for m in doc["methods"] if not m.get("x-notification")]
    assert sorted(METHOD_NAMES) == sorted(m["name"] for m in requests)
    assert "exit" not in METHOD_NAMES and "$/cancelRequest" not in METHOD_NAMES
    snake_case = load_generator().snake_case
    for method in requests:
        name = METHOD_NAMES[method["name"]]
        assert callable(getattr(Agent, name)) and callable(getattr(AsyncAgent, name))
        parameters = inspect.signature(getattr(Agent, name)).parameters
        assert parameters["progress"].default is None
        assert getattr(Agent, name).__doc__.startswith(f"``{method['name']}``")
        for param in method.get("params", []):
            if "name" not in param:  # progressToken, _meta: managed through progress=
                continue
            python_name = snake_case(param["name"])
            p = parameters[python_name]
            assert p.kind is inspect.Parameter.KEYWORD_ONLY
            if param.get("required"):
                assert p.default is inspect.Parameter.empty, (name, python_name)
            else:
                assert p.default is None, (name, python_name)
    assert "time_scale" in inspect.signature(Agent.configure_provider).parameters
    assert "timeout_seconds" in inspect.signature(Agent.create_cluster).parameters
    assert "public_ip" in inspect.signature(Agent.create_instance).parameters


def test_every_error_code_has_its_class():
    doc = json.loads(SPEC.read_text(encoding="utf-8"))
    codes = [e for e in doc["x-error-codes"] if "code" in e]
    assert len(codes) >= 15
    for entry in codes:
        cls = error_class_for_code(entry["code"])
        assert cls is not CloudAgentError and issubclass(cls, CloudAgentError), entry
        assert cls.__name__ in cloud_agent.__all__
    assert error_class_for_code(-32002) is cloud_agent.NotFoundError
    assert error_class_for_code(-32007) is cloud_agent.WaitTimeoutError
    assert error_class_for_code(-32050) is CloudAgentError
    err = CloudAgentError.from_response({"code": -32003, "message": "Conflict", "data": {"x": 1}})
    assert isinstance(err, cloud_agent.ConflictError)
    assert (err.code, err.message, err.data) == (-32003, "Conflict", {"x": 1})
