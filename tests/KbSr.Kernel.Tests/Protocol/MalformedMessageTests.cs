using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using KbSr.Kernel.Protocol;
using NetMQ;

namespace KbSr.Kernel.Tests.Protocol;

/// <summary>
/// Validly signed messages with wrong, missing or wrongly typed fields (README: every message field is validated
/// before use): the kernel answers each request whose type it can read with an error reply naming the bad field,
/// drops the rest with a log line, and keeps running with its state.
/// </summary>
public class MalformedMessageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static string Header(string msgType, string? msgId = null, Action<JsonObject>? change = null)
    {
        var header = new JsonObject
        {
            ["msg_id"] = msgId ?? Guid.NewGuid().ToString("N"), ["session"] = "s", ["username"] = "u",
            ["date"] = "2026-01-01T00:00:00.000000Z", ["msg_type"] = msgType, ["version"] = "5.3",
        };
        change?.Invoke(header);
        return header.ToJsonString();
    }

    private static string? ParentId(JupyterMessage m) => m.ParentHeader["msg_id"] is JsonValue v && v.TryGetValue(out string? id) ? id : null;

    /// <summary>The next message on the socket, whatever its parent (malformed ids cannot be matched).</summary>
    private static JupyterMessage Next(RawKernel kernel, NetMQSocket socket)
    {
        var m = kernel.Receive(socket, Wait);
        Assert.False(kernel.HasExited, "the kernel process exited: " + kernel.Stderr);
        return m ?? throw new TimeoutException("no reply; kernel stderr: " + kernel.Stderr);
    }

    private static void AssertErrorReply(JupyterMessage reply, string replyType, string field)
    {
        Assert.Equal(replyType, reply.MsgType);
        Assert.Equal("error", reply.Content["status"]!.GetValue<string>());
        Assert.Equal("InvalidMessage", reply.Content["ename"]!.GetValue<string>());
        Assert.Contains($"'{field}'", reply.Content["evalue"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>A kernel_info request with a known id; returns after its reply, proving nothing before it got one.</summary>
    private static void AssertAnswersNext(RawKernel kernel, NetMQSocket socket)
    {
        var probe = kernel.Send(socket, "kernel_info_request", []);
        var reply = Next(kernel, socket);
        Assert.Equal(probe.MsgId, ParentId(reply));
        Assert.Equal("kernel_info_reply", reply.MsgType);
    }

    private static void AssertLogged(RawKernel kernel, string text)
    {
        var clock = Stopwatch.StartNew();
        while (!kernel.Stderr.Contains(text, StringComparison.Ordinal) && clock.Elapsed < Wait) Thread.Sleep(20);
        Assert.Contains(text, kernel.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernel_WronglyTypedHeaderFields_OnShellAndControl_ErrorReplyNamingTheField()
    {
        using var kernel = new RawKernel();
        foreach (var socket in new NetMQSocket[] { kernel.Shell, kernel.Control })
        {
            foreach (string field in new[] { "session", "msg_id", "username", "version" })
            {
                kernel.SendRaw(socket, Header("kernel_info_request", change: h => h[field] = 123), "{}", "{}", "{}");
                AssertErrorReply(Next(kernel, socket), "kernel_info_reply", field);
            }
            foreach (string field in new[] { "session", "msg_id", "username", "version" })
            {
                kernel.SendRaw(socket, Header("kernel_info_request", change: h => h.Remove(field)), "{}", "{}", "{}");
                AssertErrorReply(Next(kernel, socket), "kernel_info_reply", field);
            }
            kernel.SendRaw(socket, Header("kernel_info_request", change: h => h["date"] = 20260101), "{}", "{}", "{}");
            AssertErrorReply(Next(kernel, socket), "kernel_info_reply", "date");
            kernel.SendRaw(socket, Header("kernel_info_request"), "[1]", "{}", "{}");
            AssertErrorReply(Next(kernel, socket), "kernel_info_reply", "parent_header");
            kernel.SendRaw(socket, Header("kernel_info_request"), "{}", "\"m\"", "{}");
            AssertErrorReply(Next(kernel, socket), "kernel_info_reply", "metadata");
            kernel.SendRaw(socket, Header("kernel_info_request"), "{}", "{}", "[]");
            AssertErrorReply(Next(kernel, socket), "kernel_info_reply", "content");
            kernel.SendRaw(socket, Header("kernel_info_request"), "{}", "{}", "{\"unclosed\": ");
            AssertErrorReply(Next(kernel, socket), "kernel_info_reply", "content");

            // No readable msg_type: nobody to answer; dropped with a log line naming the field.
            kernel.SendRaw(socket, Header("kernel_info_request", change: h => h["msg_type"] = 5), "{}", "{}", "{}");
            AssertAnswersNext(kernel, socket);
            AssertLogged(kernel, "'msg_type'");
            foreach (string header in new[] { "[]", "42", "null", "{\"msg_type\": ", "" })
            {
                kernel.SendRaw(socket, header, "{}", "{}", "{}");
                AssertAnswersNext(kernel, socket);
            }
            // Duplicate keys make the type ambiguous (which msg_type?): dropped too.
            kernel.SendRaw(socket, Header("kernel_info_request", change: h => h["msg_id"] = "dup").Replace("\"msg_id\":\"dup\"", "\"msg_type\":\"execute_request\"", StringComparison.Ordinal), "{}", "{}", "{}");
            AssertAnswersNext(kernel, socket);
        }
        Assert.False(kernel.HasExited);
    }

    [Fact]
    public void Kernel_WronglyTypedContentFields_ErrorReplyNamingTheField_StateKept()
    {
        using var kernel = new RawKernel();
        var define = kernel.Send(kernel.Shell, "execute_request", RawKernel.ExecuteContent("var kept = 41;"));
        Assert.Equal("ok", kernel.ReplyTo(kernel.Shell, define.MsgId, Wait).Content["status"]!.GetValue<string>());

        var cases = new (string Type, string Content, string Field)[]
        {
            ("execute_request", "{\"code\": 1}", "code"),
            ("execute_request", "{\"silent\": false}", "code"),
            ("execute_request", "{\"code\": \"kept\", \"silent\": \"yes\"}", "silent"),
            ("execute_request", "{\"code\": \"kept\", \"store_history\": 1}", "store_history"),
            ("execute_request", "{\"code\": \"kept\", \"stop_on_error\": []}", "stop_on_error"),
            ("complete_request", "{\"code\": \"kep\", \"cursor_pos\": \"3\"}", "cursor_pos"),
            ("complete_request", "{\"code\": \"kep\", \"cursor_pos\": 1.5}", "cursor_pos"),
            ("complete_request", "{\"code\": {}, \"cursor_pos\": 3}", "code"),
            ("inspect_request", "{\"code\": \"kept\", \"cursor_pos\": 1e30}", "cursor_pos"),
            ("inspect_request", "{\"code\": \"kept\", \"cursor_pos\": -1}", "cursor_pos"),
            ("inspect_request", "{\"code\": \"kept\", \"cursor_pos\": 99}", "cursor_pos"),
            ("is_complete_request", "{\"code\": null}", "code"),
            ("shutdown_request", "{\"restart\": \"no\"}", "restart"),
        };
        foreach (var (type, content, field) in cases)
        {
            kernel.SendRaw(kernel.Shell, Header(type), "{}", "{}", content);
            var reply = Next(kernel, kernel.Shell);
            AssertErrorReply(reply, type.Replace("_request", "_reply", StringComparison.Ordinal), field);
            if (type == "execute_request") Assert.NotNull(reply.Content["execution_count"]);
        }
        kernel.SendRaw(kernel.Control, Header("shutdown_request"), "{}", "{}", "{\"restart\": 0}");
        AssertErrorReply(Next(kernel, kernel.Control), "shutdown_reply", "restart");

        // A front end waits for idle after a reply: the rejected request also got busy/idle on iopub.
        string id = Guid.NewGuid().ToString("N");
        kernel.SendRaw(kernel.Shell, Header("execute_request", id), "{}", "{}", "{\"code\": false}");
        AssertErrorReply(kernel.ReplyTo(kernel.Shell, id, Wait), "execute_reply", "code");
        var states = new List<string>();
        while (!states.Contains("idle") && kernel.Receive(kernel.Iopub, Wait) is { } m)
            if (m.MsgType == "status" && ParentId(m) == id) states.Add(m.Content["execution_state"]!.GetValue<string>());
        Assert.Equal(["busy", "idle"], states);

        var after = kernel.Send(kernel.Shell, "execute_request", RawKernel.ExecuteContent("kept + 1"));
        var ok = kernel.ReplyTo(kernel.Shell, after.MsgId, Wait);
        Assert.Equal("ok", ok.Content["status"]!.GetValue<string>());
        Assert.Equal(2, ok.Content["execution_count"]!.GetValue<int>()); // rejected requests took no number
        Assert.False(kernel.HasExited);
    }

    // ---- fuzz ----

    private static readonly string[] MsgTypes =
    [
        "kernel_info_request", "execute_request", "is_complete_request", "complete_request", "inspect_request",
        "comm_info_request", "history_request", "interrupt_request", "shutdown_request", "comm_open", "comm_msg",
        "no_such_request", "", "status",
    ];
    private static readonly string[] Codes = ["1+1", "var fz = 3;", "throw new Exception(\"f\");", "(", "", "Console.Write(\"x\")", "\u00e9\u2603"];
    private static readonly string[] ContentKeys =
        ["code", "cursor_pos", "silent", "store_history", "stop_on_error", "user_expressions", "allow_stdin", "restart", "detail_level", "hist_access_type"];

    /// <summary>A JSON value of a random kind; <paramref name="good"/> (when given) is one of the choices.</summary>
    private static JsonNode? RandomValue(Random random, JsonNode? good)
    {
        return random.Next(10) switch
        {
            0 or 1 or 2 => good?.DeepClone(),
            3 => JsonValue.Create(random.Next(-5, 100)),
            4 => JsonValue.Create(random.NextDouble() * 1e40),
            5 => null,
            6 => JsonValue.Create(random.Next(2) == 0),
            7 => new JsonArray(1, "a"),
            8 => new JsonObject { ["k"] = "v" },
            _ => JsonValue.Create(new string((char)random.Next(32, 0x3000), random.Next(0, 5))),
        };
    }

    private static string RandomPart(Random random, JsonObject good)
    {
        switch (random.Next(12))
        {
            case 0: return "[]";
            case 1: return "7";
            case 2: return "{";
            case 3: return "";
        }
        var part = new JsonObject();
        foreach (var (key, value) in good)
        {
            if (random.Next(8) == 0) continue;                       // missing
            part[key] = random.Next(3) == 0 ? RandomValue(random, value) : value?.DeepClone();
        }
        return part.ToJsonString();
    }

    private static (string Header, string Content, bool Answered) RandomMessage(Random random, int index)
    {
        string type = MsgTypes[random.Next(MsgTypes.Length)];
        string header = RandomPart(random, new JsonObject
        {
            ["msg_id"] = "fuzz-" + index.ToString(CultureInfo.InvariantCulture), ["session"] = "s", ["username"] = "u",
            ["date"] = "2026-01-01T00:00:00Z", ["msg_type"] = type, ["version"] = "5.3",
        });
        var content = new JsonObject();
        foreach (string key in ContentKeys)
            if (random.Next(2) == 0)
                content[key] = key switch
                {
                    "code" => RandomValue(random, Codes[random.Next(Codes.Length)]),
                    "cursor_pos" => RandomValue(random, random.Next(0, 4)),
                    "user_expressions" or "hist_access_type" => RandomValue(random, new JsonObject()),
                    "detail_level" => RandomValue(random, 0),
                    _ => RandomValue(random, random.Next(2) == 0),
                };
        // A well-formed shutdown would end the run: its restart flag is always of the wrong type.
        if (type == "shutdown_request") content["restart"] = "maybe";
        string contentText = random.Next(10) == 0 ? "{\"code\": [" : content.ToJsonString();
        // Expected: a reply exactly when the header is an object whose msg_type is a string naming a request.
        bool answered = JsonParses(header) is JsonObject h && h["msg_type"] is JsonValue v && v.TryGetValue(out string? t)
                        && t.EndsWith("_request", StringComparison.Ordinal);
        return (header, contentText, answered);
    }

    private static JsonNode? JsonParses(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    [Fact]
    public void Kernel_FuzzedSignedMessages_EveryRequestAnswered_KernelAliveAndExecutes()
    {
        var random = new Random(20261203);
        using var kernel = new RawKernel();
        var define = kernel.Send(kernel.Shell, "execute_request", RawKernel.ExecuteContent("var survivor = 6;"));
        Assert.Equal("ok", kernel.ReplyTo(kernel.Shell, define.MsgId, Wait).Content["status"]!.GetValue<string>());

        int expectedShell = 0, expectedControl = 0;
        for (int i = 0; i < 300; i++)
        {
            bool control = random.Next(3) == 0;
            var (header, content, answered) = RandomMessage(random, i);
            string parent = random.Next(6) == 0 ? RandomPart(random, new JsonObject { ["msg_id"] = "p" }) : "{}";
            string metadata = random.Next(6) == 0 ? RandomPart(random, new JsonObject { ["m"] = 1 }) : "{}";
            kernel.SendRaw(control ? kernel.Control : kernel.Shell, header, parent, metadata, content);
            if (answered) { if (control) expectedControl++; else expectedShell++; }
        }

        // Sentinels: each socket answers in order, so every earlier reply precedes the sentinel's.
        int CountRepliesUntil(NetMQSocket socket, string sentinel)
        {
            int count = 0;
            while (true)
            {
                var m = Next(kernel, socket);
                if (ParentId(m) == sentinel) return count;
                count++;
            }
        }
        var shellSentinel = kernel.Send(kernel.Shell, "kernel_info_request", []);
        var controlSentinel = kernel.Send(kernel.Control, "kernel_info_request", []);
        Assert.Equal(expectedShell, CountRepliesUntil(kernel.Shell, shellSentinel.MsgId));
        Assert.Equal(expectedControl, CountRepliesUntil(kernel.Control, controlSentinel.MsgId));

        while (kernel.Receive(kernel.Iopub, TimeSpan.FromMilliseconds(200)) is not null) { } // room for the next outputs

        var cell = kernel.Send(kernel.Shell, "execute_request", RawKernel.ExecuteContent("survivor * 7"));
        var reply = kernel.ReplyTo(kernel.Shell, cell.MsgId, Wait);
        Assert.Equal("ok", reply.Content["status"]!.GetValue<string>());
        JupyterMessage? result = null;
        while (result is null && kernel.Receive(kernel.Iopub, Wait) is { } m)
            if (m.MsgType == "execute_result" && ParentId(m) == cell.MsgId) result = m;
        Assert.Equal("42", result!.Content["data"]!["text/plain"]!.GetValue<string>());
        Assert.False(kernel.HasExited);
    }
}
