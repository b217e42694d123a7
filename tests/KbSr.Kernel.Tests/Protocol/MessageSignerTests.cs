using System.Text.Json.Nodes;
using KbSr.Kernel.Protocol;
using NetMQ;

namespace KbSr.Kernel.Tests.Protocol;

/// <summary>
/// HMAC-SHA256 signing against digests computed by other tools, not by the signer under test. The Jupyter
/// messaging specification signs the concatenation header + parent_header + metadata + content (no separators;
/// not the identities, the delimiter or the signature frame).
/// </summary>
public class MessageSignerTests
{
    private const string Key = "kbsr-test-key";
    private const string Header = "{\"msg_id\":\"m1\",\"session\":\"s1\",\"username\":\"u\",\"date\":\"2026-01-01T00:00:00.000000Z\",\"msg_type\":\"execute_request\",\"version\":\"5.3\"}";
    private const string Parent = "{\"msg_id\":\"p0\"}";
    private const string Metadata = "{\"meta\":1}";
    // No '+', '<', '&' or non-ASCII: System.Text.Json writes those escaped, and ToFrames must reproduce these bytes.
    private const string Content = "{\"code\":\"6*7\"}";

    // Computed independently, two ways, over the four parts concatenated in the specification's order:
    //   python3 -c 'import hmac,hashlib,sys; print(hmac.new(b"kbsr-test-key", "".join(sys.argv[1:]).encode(), hashlib.sha256).hexdigest())' \
    //     "$HEADER" "$PARENT" "$METADATA" "$CONTENT"
    //   printf '%s' "$HEADER$PARENT$METADATA$CONTENT" | openssl dgst -sha256 -hmac kbsr-test-key
    // with the four strings above; both print this digest.
    private const string ExpectedDigest = "9b427b2822400354f5e57d0f73f46dc1b1bfd6f9cddbb6a2ebded7f34e2b5cbe";

    [Fact]
    public void Sign_FourPartsInSpecificationOrder_MatchesIndependentDigest()
    {
        Assert.Equal(ExpectedDigest, new MessageSigner(Key).Sign(Header, Parent, Metadata, Content));
        // Header and parent swapped give the digest python3 computes for that order, not the expected one.
        Assert.Equal("b107427b03e3175357f21df9b81ef2f660b6f8c3c84e140c8cada3e549c6324d", new MessageSigner(Key).Sign(Parent, Header, Metadata, Content));
    }

    /// <summary>With a key, only the exact lowercase hex digest of the four parts passes: not an empty signature, not
    /// another message's, not the digest in capitals. Without a key (Jupyter's unsigned mode) every message passes.</summary>
    [Fact]
    public void Verify_WithAKey_AcceptsOnlyTheExactDigest()
    {
        var signer = new MessageSigner(Key);
        Assert.True(signer.Verify(ExpectedDigest, Header, Parent, Metadata, Content));
        Assert.False(signer.Verify("", Header, Parent, Metadata, Content));
        Assert.False(signer.Verify(ExpectedDigest, Header, Parent, Metadata, "{\"code\":\"6*8\"}"));
        Assert.False(signer.Verify(ExpectedDigest.ToUpperInvariant(), Header, Parent, Metadata, Content));
        Assert.False(signer.Verify(ExpectedDigest[..^1], Header, Parent, Metadata, Content));
        Assert.True(new MessageSigner("").Verify("", Header, Parent, Metadata, Content));
    }

    [Fact]
    public void Parse_AMessageWithAnEmptySignature_IsRefusedWhenAKeyIsSet()
    {
        var frames = new NetMQMessage();
        frames.Append("<IDS|MSG>");
        frames.Append("");
        foreach (string part in new[] { Header, Parent, Metadata, Content }) frames.Append(part);
        Assert.Null(JupyterMessage.Parse(frames, new MessageSigner(Key), out string? error));
        Assert.Equal("signature mismatch", error);
        Assert.NotNull(JupyterMessage.Parse(frames, new MessageSigner(""), out _));
    }

    [Fact]
    public void Sign_Rfc4231TestCase2_SplitAcrossTheParts()
    {
        // RFC 4231 §4.3, test case 2: key "Jefe", data "what do ya want for nothing?". The parts are concatenated
        // without separators, so any split of the data gives the RFC's digest.
        const string Rfc = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        var signer = new MessageSigner("Jefe");
        Assert.Equal(Rfc, signer.Sign("what do ya want for nothing?", "", "", ""));
        Assert.Equal(Rfc, signer.Sign("what do ", "ya want ", "for ", "nothing?"));
        Assert.Equal(Rfc, signer.Sign("", "", "", "what do ya want for nothing?"));
    }

    [Fact]
    public void ToFrames_SignsExactlyTheSentParts_NotIdentitiesOrDelimiter()
    {
        var message = new JupyterMessage
        {
            Identities = [[1, 2, 3], "peer"u8.ToArray()],
            Header = JsonNode.Parse(Header)!.AsObject(),
            ParentHeader = JsonNode.Parse(Parent)!.AsObject(),
            Metadata = JsonNode.Parse(Metadata)!.AsObject(),
            Content = JsonNode.Parse(Content)!.AsObject(),
        };
        var frames = message.ToFrames(new MessageSigner(Key));
        Assert.Equal(8, frames.FrameCount);
        Assert.Equal([1, 2, 3], frames[0].ToByteArray());
        Assert.Equal("<IDS|MSG>", frames[2].ConvertToString());
        Assert.Equal(ExpectedDigest, frames[3].ConvertToString());
        Assert.Equal([Header, Parent, Metadata, Content], Enumerable.Range(4, 4).Select(i => frames[i].ConvertToString()));
    }

    [Fact]
    public void Parse_AcceptsTheIndependentDigest_RejectsDigestOfAnotherOrder()
    {
        static NetMQMessage Frames(string signature)
        {
            var frames = new NetMQMessage();
            frames.Append("peer");
            frames.Append("<IDS|MSG>");
            frames.Append(signature);
            foreach (var part in new[] { Header, Parent, Metadata, Content }) frames.Append(part);
            return frames;
        }
        var signer = new MessageSigner(Key);
        var parsed = JupyterMessage.Parse(Frames(ExpectedDigest), signer, out var error);
        Assert.True(parsed is not null, error);
        Assert.Equal("execute_request", parsed!.MsgType);
        // Digests of wrong schemes, computed with the same python3 line: the parts reversed, the delimiter
        // included ("<IDS|MSG>" + parts), the identity and the delimiter included ("peer<IDS|MSG>" + parts).
        foreach (string wrong in new[]
        {
            "35ea54573c75b86cc4666bf60184fa8e45644cf8fbbe5fe38334e13ffcf4c7d3",
            "a259e4d2aa02920110da51627afbde73677278444c9f9618885371a384c1d632",
            "4e17ddceea02e392d8fd666a4622253418a0bf26c38c9e663fa7605c7fdbf22a",
        })
            Assert.Null(JupyterMessage.Parse(Frames(wrong), signer, out error));
        Assert.Contains("signature", error, StringComparison.Ordinal);
    }
}
