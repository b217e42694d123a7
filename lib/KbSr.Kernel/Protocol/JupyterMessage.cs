using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NetMQ;

namespace KbSr.Kernel.Protocol;

/// <summary>One message of the Jupyter messaging protocol 5.3: routing identities, the four JSON parts and buffers.</summary>
public sealed class JupyterMessage
{
    public const string ProtocolVersion = "5.3";
    private const string Delimiter = "<IDS|MSG>";

    public List<byte[]> Identities { get; init; } = [];
    public JsonObject Header { get; init; } = [];
    public JsonObject ParentHeader { get; init; } = [];
    public JsonObject Metadata { get; init; } = [];
    public JsonObject Content { get; init; } = [];

    public string MsgType => StringOrEmpty(Header, "msg_type");
    public string MsgId => StringOrEmpty(Header, "msg_id");

    /// <summary>Set once the kernel has sent this request's reply (so a failure after it sends no second one).</summary>
    internal bool Answered { get; set; }

    private static string StringOrEmpty(JsonObject obj, string key) => obj[key] is JsonValue v && v.TryGetValue(out string? s) ? s : "";

    /// <summary>Header fields every message carries (the specification's header; <c>date</c> may be absent).</summary>
    private static readonly string[] RequiredHeaderFields = ["msg_id", "session", "username", "msg_type", "version"];

    public static JupyterMessage Create(string msgType, JsonObject content, JupyterMessage? parent = null, string session = "")
    {
        var header = new JsonObject
        {
            ["msg_id"] = Guid.NewGuid().ToString("N"),
            ["session"] = parent is not null && parent.Header["session"] is JsonValue v && v.TryGetValue(out string? s) ? s : session,
            ["username"] = "kernel",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["msg_type"] = msgType,
            ["version"] = ProtocolVersion,
        };
        return new JupyterMessage
        {
            Identities = parent is null ? [] : [.. parent.Identities],
            Header = header,
            ParentHeader = parent is null ? [] : (JsonObject)parent.Header.DeepClone(),
            Content = content,
        };
    }

    public NetMQMessage ToFrames(MessageSigner signer)
    {
        string h = Header.ToJsonString(), p = ParentHeader.ToJsonString(), m = Metadata.ToJsonString(), c = Content.ToJsonString();
        var frames = new NetMQMessage();
        foreach (var id in Identities) frames.Append(id);
        frames.Append(Delimiter);
        frames.Append(signer.Sign(h, p, m, c));
        frames.Append(h); frames.Append(p); frames.Append(m); frames.Append(c);
        return frames;
    }

    /// <summary>Parses and verifies a multipart message; null (with <paramref name="error"/>) when malformed or badly signed.</summary>
    public static JupyterMessage? Parse(NetMQMessage frames, MessageSigner signer, out string? error) => Parse(frames, signer, out error, out _);

    /// <summary>
    /// Parses, verifies and validates a multipart message: the signature, then each part a JSON object, then the
    /// header's fields. Null (with <paramref name="error"/>) when anything is wrong. <paramref name="rejected"/> is
    /// set when the message was correctly signed and its type can be read, so the kernel can answer it with an error.
    /// </summary>
    public static JupyterMessage? Parse(NetMQMessage frames, MessageSigner signer, out string? error, out RejectedMessage? rejected)
    {
        error = null;
        rejected = null;
        var ids = new List<byte[]>();
        int i = 0;
        for (; i < frames.FrameCount; i++)
        {
            if (frames[i].ConvertToString() == Delimiter) break;
            ids.Add(frames[i].ToByteArray());
        }
        if (frames.FrameCount < i + 6) { error = "message without delimiter or with missing parts"; return null; }
        string sig = frames[i + 1].ConvertToString(Encoding.ASCII);
        string h = frames[i + 2].ConvertToString(Encoding.UTF8), p = frames[i + 3].ConvertToString(Encoding.UTF8);
        string m = frames[i + 4].ConvertToString(Encoding.UTF8), c = frames[i + 5].ConvertToString(Encoding.UTF8);
        if (!signer.Verify(sig, h, p, m, c)) { error = "signature mismatch"; return null; }

        JsonObject header;
        string msgType;
        try
        {
            header = MessageFields.ParseObject(h, "header");
            msgType = MessageFields.RequiredString(header, "header", "msg_type");
            if (msgType.Length == 0) throw new InvalidMessageException("header field 'msg_type' is empty");
        }
        catch (InvalidMessageException e) { error = e.Message + " (no message type to answer)"; return null; }
        try
        {
            foreach (string field in RequiredHeaderFields) MessageFields.RequiredString(header, "header", field);
            MessageFields.OptionalString(header, "header", "date");
            return new JupyterMessage
            {
                Identities = ids,
                Header = header,
                ParentHeader = MessageFields.ParseObject(p, "parent_header"),
                Metadata = MessageFields.ParseObject(m, "metadata"),
                Content = MessageFields.ParseObject(c, "content"),
            };
        }
        catch (InvalidMessageException e)
        {
            error = $"{msgType}: {e.Message}";
            rejected = new RejectedMessage(ids, header, msgType, e.Message);
            return null;
        }
    }
}

/// <summary>A correctly signed message with a readable type but malformed parts: what the kernel needs to answer it with an error.</summary>
public sealed record RejectedMessage(List<byte[]> Identities, JsonObject Header, string MsgType, string Problem)
{
    /// <summary>The message to reply to: its identities and header (as sent, for the reply's parent_header).</summary>
    public JupyterMessage AsParent() => new() { Identities = Identities, Header = Header };
}

/// <summary>HMAC-SHA256 over header, parent header, metadata and content (the protocol's signature); no key = unsigned.</summary>
public sealed class MessageSigner(string key)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public string Sign(string header, string parent, string metadata, string content)
    {
        if (_key.Length == 0) return "";
        using var hmac = new HMACSHA256(_key);
        foreach (var part in new[] { header, parent, metadata })
        {
            var b = Encoding.UTF8.GetBytes(part);
            hmac.TransformBlock(b, 0, b.Length, null, 0);
        }
        var last = Encoding.UTF8.GetBytes(content);
        hmac.TransformFinalBlock(last, 0, last.Length);
        return Convert.ToHexStringLower(hmac.Hash!);
    }

    public bool Verify(string signature, string header, string parent, string metadata, string content)
    {
        if (_key.Length == 0) return true;
        var expected = Encoding.ASCII.GetBytes(Sign(header, parent, metadata, content));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }
}
