import HavenInference

extension ModelProfile {
    /// An OpenAI request body (chat or text completion) with this model's defaults applied:
    /// its system prompt when the messages carry none, and every parameter the request leaves
    /// unset (`num_predict` as `max_tokens`). What the request sets wins.
    public func applied(toOpenAIRequest body: JSONValue) -> JSONValue {
        guard case .object(var fields, var order) = body else { return body }
        func setIfAbsent(_ key: String, _ value: JSONValue?) {
            guard let value, fields[key] == nil || fields[key] == .null else { return }
            if fields[key] == nil { order.append(key) }
            fields[key] = value
        }
        if let system, case .array(var messages)? = fields["messages"],
            !messages.contains(where: Self.isSystem)
        {
            messages.insert(.object(["role": .string("system"), "content": .string(system)], order: ["role", "content"]), at: 0)
            fields["messages"] = .array(messages)
        }
        let parameters = self.parameters
        setIfAbsent("temperature", parameters.temperature.map(JSONValue.number))
        setIfAbsent("top_p", parameters.topP.map(JSONValue.number))
        setIfAbsent("top_k", parameters.topK.map { .number(Double($0)) })
        setIfAbsent("min_p", parameters.minP.map(JSONValue.number))
        setIfAbsent("seed", parameters.seed.map { .number(Double($0)) })
        setIfAbsent("repeat_penalty", parameters.repeatPenalty.map(JSONValue.number))
        setIfAbsent("presence_penalty", parameters.presencePenalty.map(JSONValue.number))
        setIfAbsent("frequency_penalty", parameters.frequencyPenalty.map(JSONValue.number))
        setIfAbsent("stop", parameters.stop.map { .array($0.map(JSONValue.string)) })
        if let limit = parameters.numPredict, limit >= 0, fields["max_completion_tokens"] == nil {
            setIfAbsent("max_tokens", .number(Double(limit)))
        }
        return .object(fields, order: order)
    }

    /// An OpenAI Responses body with this model's defaults applied where that API has a place
    /// for them: the system prompt as `instructions`, `temperature`, `top_p`, and `num_predict`
    /// as `max_output_tokens`. What the request sets wins.
    public func applied(toResponsesRequest body: JSONValue) -> JSONValue {
        guard case .object(var fields, var order) = body else { return body }
        func setIfAbsent(_ key: String, _ value: JSONValue?) {
            guard let value, fields[key] == nil || fields[key] == .null else { return }
            if fields[key] == nil { order.append(key) }
            fields[key] = value
        }
        setIfAbsent("instructions", system.map(JSONValue.string))
        setIfAbsent("temperature", parameters.temperature.map(JSONValue.number))
        setIfAbsent("top_p", parameters.topP.map(JSONValue.number))
        setIfAbsent("max_output_tokens", parameters.numPredict.flatMap { $0 < 0 ? nil : .number(Double($0)) })
        return .object(fields, order: order)
    }

    /// Whether a message of an OpenAI body is a system (or developer) message.
    static func isSystem(_ message: JSONValue) -> Bool {
        let role = message["role"]?.stringValue
        return role == "system" || role == "developer"
    }
}
