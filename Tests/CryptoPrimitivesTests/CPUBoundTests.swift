import Testing

/// The suites whose tests compute for seconds (RSA and big-integer arithmetic in a debug
/// build), run one test at a time: a test that computes holds its thread of the cooperative
/// pool until it is done, and on a two-core machine two of them at once would leave the pool
/// no thread for the tests that wait on agents and servers.
@Suite(.serialized) struct CPUBoundTests {}
