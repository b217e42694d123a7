using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using KbSr.Kernel.Protocol;
using NetMQ;
using NetMQ.Sockets;

namespace KbSr.Kernel.Tests.Protocol;

/// <summary>
/// The kernel process driven over raw sockets, for tests that send what a well-behaved client never would:
/// hand-made frames (any JSON, signed with the right key), requests on shell and control at once.
/// </summary>
internal sealed class RawKernel : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    public ConnectionInfo Connection { get; }
    public MessageSigner Signer { get; }
    public DealerSocket Shell { get; } = new();
    public DealerSocket Control { get; } = new();
    public SubscriberSocket Iopub { get; } = new();
    public bool HasExited => _process.HasExited;
    public int ProcessId => _process.Id;
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public RawKernel()
    {
        Connection = ConnectionInfo.CreateLocal();
        Signer = new MessageSigner(Connection.Key);
        string file = Path.Combine(TestTools.NewTempDir(), "connection.json");
        Connection.Write(file);
        var info = new ProcessStartInfo(KernelSpec.DotnetHost()) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { KernelSpec.KernelAssemblyPath, "-f", file }) info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        Shell.Connect(Connection.Address(Connection.ShellPort));
        Control.Connect(Connection.Address(Connection.ControlPort));
        Iopub.Connect(Connection.Address(Connection.IopubPort));
        Iopub.SubscribeToAnyTopic();
    }

    /// <summary>Sends the four JSON parts exactly as given (any text), correctly signed.</summary>
    public void SendRaw(NetMQSocket socket, string header, string parent, string metadata, string content)
    {
        var frames = new NetMQMessage();
        frames.Append("<IDS|MSG>");
        frames.Append(Signer.Sign(header, parent, metadata, content));
        foreach (var part in new[] { header, parent, metadata, content }) frames.Append(part);
        socket.SendMultipartMessage(frames);
    }

    public JupyterMessage Send(NetMQSocket socket, string msgType, JsonObject content)
    {
        var message = JupyterMessage.Create(msgType, content, null, "test-session");
        socket.SendMultipartMessage(message.ToFrames(Signer));
        return message;
    }

    /// <summary>The next message on <paramref name="socket"/>, or null after <paramref name="timeout"/>.</summary>
    public JupyterMessage? Receive(NetMQSocket socket, TimeSpan timeout)
    {
        var frames = new NetMQMessage();
        if (!socket.TryReceiveMultipartMessage(timeout, ref frames)) return null;
        // The test's own subscriber socket gets a topic frame first on iopub.
        return JupyterMessage.Parse(frames, Signer, out _);
    }

    /// <summary>The next reply on <paramref name="socket"/> to the request with id <paramref name="msgId"/>.</summary>
    public JupyterMessage ReplyTo(NetMQSocket socket, string msgId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var m = Receive(socket, TimeSpan.FromMilliseconds(100));
            if (m is not null && m.ParentHeader["msg_id"] is JsonValue v && v.TryGetValue(out string? id) && id == msgId) return m;
            // Only when nothing more arrives: a kernel that sent its last replies and then exited (shutdown) has
            // left them in this socket, and they must still be read.
            Assert.False(m is null && HasExited, "the kernel process exited: " + Stderr);
        }
        throw new TimeoutException($"no reply to {msgId} within {timeout.TotalSeconds:0} s; kernel stderr: {Stderr}");
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Waits for a stream output of request <paramref name="msgId"/> containing <paramref name="text"/>.</summary>
    public void WaitForStream(string msgId, string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            Assert.False(HasExited, "the kernel process exited: " + Stderr);
            var m = Receive(Iopub, TimeSpan.FromMilliseconds(100));
            if (m is { MsgType: "stream" } && m.ParentHeader["msg_id"] is JsonValue v && v.TryGetValue(out string? id) && id == msgId
                && m.Content["text"]!.GetValue<string>().Contains(text, StringComparison.Ordinal)) return;
        }
        throw new TimeoutException($"no output '{text}' from {msgId} within {timeout.TotalSeconds:0} s; kernel stderr: {Stderr}");
    }

    public static JsonObject ExecuteContent(string code) => new()
    {
        ["code"] = code, ["silent"] = false, ["store_history"] = true, ["stop_on_error"] = false,
        ["user_expressions"] = new JsonObject(), ["allow_stdin"] = false,
    };

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Send(Control, "shutdown_request", new JsonObject { ["restart"] = false });
                if (!_process.WaitForExit(10_000)) _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or NetMQException) { }
        foreach (var socket in new NetMQSocket[] { Shell, Control, Iopub })
        {
            socket.Options.Linger = TimeSpan.Zero;
            socket.Dispose();
        }
        _process.Dispose();
    }
}
