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

    public string MsgType => Header["msg_type"]?.GetValue<string>() ?? "";
    public string MsgId => Header["msg_id"]?.GetValue<string>() ?? "";

    public static JupyterMessage Create(string msgType, JsonObject content, JupyterMessage? parent = null, string session = "")
    {
        var header = new JsonObject
        {
            ["msg_id"] = Guid.NewGuid().ToString("N"),
            ["session"] = parent?.Header["session"]?.GetValue<string>() ?? session,
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
    public static JupyterMessage? Parse(NetMQMessage frames, MessageSigner signer, out string? error)
    {
        error = null;
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
        try
        {
            return new JupyterMessage
            {
                Identities = ids,
                Header = JsonNode.Parse(h) as JsonObject ?? [],
                ParentHeader = JsonNode.Parse(p) as JsonObject ?? [],
                Metadata = JsonNode.Parse(m) as JsonObject ?? [],
                Content = JsonNode.Parse(c) as JsonObject ?? [],
            };
        }
        catch (System.Text.Json.JsonException e) { error = "invalid JSON: " + e.Message; return null; }
    }
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
