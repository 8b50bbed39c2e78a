/// Command-line arguments split GNU-style into a command, options and operands.
///
/// Accepts `--name value`, `--name=value`, boolean flags, `-h`/`-V`, options anywhere after
/// the command, and `--` to end options. Which options take values is declared up front so
/// `call ping --socket /p` and `call --socket /p ping` both parse.
struct ParsedArguments {
    /// A usage mistake, reported as `cloud-agent: <message>` with exit status 2.
    struct UsageError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// An option's spelling and whether it takes a value.
    struct OptionSpec {
        enum Value { case none, required, optional }
        let name: String
        let value: Value
    }

    var options: [String: String] = [:]
    var flags: Set<String> = []
    var operands: [String] = []

    /// Parses `arguments` (without the program name) against `specs`.
    init(_ arguments: [String], specs: [OptionSpec]) throws(UsageError) {
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
                operands.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let spec = byName[name] else {
                throw UsageError(message: "unknown option '\(name)'")
            }
            switch spec.value {
            case .none:
                if inlineValue != nil { throw UsageError(message: "option '\(name)' takes no value") }
                flags.insert(name)
            case .required:
                if let inlineValue {
                    options[name] = inlineValue
                } else if index < arguments.count {
                    options[name] = arguments[index]
                    index += 1
                } else {
                    throw UsageError(message: "option '\(name)' needs a value")
                }
            case .optional:
                if let inlineValue {
                    options[name] = inlineValue
                } else if index < arguments.count, !arguments[index].hasPrefix("-") {
                    options[name] = arguments[index]
                    index += 1
                } else {
                    flags.insert(name)
                }
            }
        }
    }

    /// An option's value parsed as a positive integer within `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = options[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(message: "option '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }
}
