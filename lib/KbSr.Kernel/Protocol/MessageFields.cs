using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KbSr.Kernel.Protocol;

/// <summary>A correctly signed message whose parts or fields are not what the protocol says; the message names the part or field.</summary>
public sealed class InvalidMessageException(string message) : Exception(message);

/// <summary>
/// Typed reads of message fields (README: every message field is validated before use). A field of the wrong
/// type, or a required one that is missing, throws <see cref="InvalidMessageException"/> naming it; a JSON
/// <c>null</c> counts as absent for optional fields.
/// </summary>
public static class MessageFields
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>Parses one JSON part; it must be an object. <paramref name="part"/> names it in the error.</summary>
    public static JsonObject ParseObject(string json, string part)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json, documentOptions: Strict); }
        catch (JsonException e) { throw new InvalidMessageException($"'{part}' is not valid JSON: {e.Message}"); }
        return node as JsonObject ?? throw new InvalidMessageException($"'{part}' must be a JSON object (got {Kind(node)})");
    }

    public static string RequiredString(JsonObject obj, string part, string field) =>
        OptionalString(obj, part, field) ?? throw new InvalidMessageException($"{part} field '{field}' is missing (expected a string)");

    public static string? OptionalString(JsonObject obj, string part, string field) => obj[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        var other => throw Wrong(part, field, "a string", other),
    };

    public static bool OptionalBool(JsonObject obj, string part, string field, bool fallback) => obj[field] switch
    {
        null => fallback,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw Wrong(part, field, "true or false", other),
    };

    /// <summary>An integer field in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    public static int OptionalInt(JsonObject obj, string part, string field, int fallback, int min, int max)
    {
        var node = obj[field];
        if (node is null) return fallback;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue(out int value))
            throw Wrong(part, field, "an integer", node);
        if (value < min || value > max)
            throw new InvalidMessageException($"{part} field '{field}' is {value.ToString(CultureInfo.InvariantCulture)}; expected {min}..{max}");
        return value;
    }

    private static InvalidMessageException Wrong(string part, string field, string expected, JsonNode? got) =>
        new($"{part} field '{field}' must be {expected} (got {Kind(got)})");

    /// <summary>"a number", "an array", … for error messages.</summary>
    public static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        },
        _ => "an unknown value",
    };
}
