using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using KbSr.Kernel.Protocol;
using NetMQ;
using NetMQ.Sockets;

namespace KbSr.Kernel.Notebooks;

/// <summary>Outputs of one executed cell in nbformat 4 shape.</summary>
public sealed record ExecutionOutcome(string Status, int? ExecutionCount, JsonArray Outputs, string? ErrorName, string? ErrorValue);

/// <summary>
/// A small Jupyter client (no Python needed): starts the kernel process with a fresh connection file
/// and runs cells over shell/iopub, collecting outputs as nbformat 4 JSON.
/// </summary>
public sealed class KernelClient : IDisposable
{
    private readonly Process _process;
    private readonly DealerSocket _shell = new(), _control = new();
    private readonly SubscriberSocket _iopub = new();
    private readonly MessageSigner _signer;
    private readonly string _session = Guid.NewGuid().ToString("N");
    private readonly string _connectionFile;
    private readonly StringBuilder _kernelStderr = new();
    // display_id → outputs showing it, so update_display_data can replace them in place.
    private readonly Dictionary<string, List<JsonObject>> _displays = [];

    public int ProcessId => _process.Id;
    /// <summary>The connection file the kernel was started with (it holds the signing key).</summary>
    public string ConnectionFile => _connectionFile;
    public string KernelStderr { get { lock (_kernelStderr) return _kernelStderr.ToString(); } }

    private KernelClient(Process process, ConnectionInfo connection, string connectionFile)
    {
        _process = process;
        _connectionFile = connectionFile;
        _signer = new MessageSigner(connection.Key);
        _shell.Connect(connection.Address(connection.ShellPort));
        _control.Connect(connection.Address(connection.ControlPort));
        _iopub.Connect(connection.Address(connection.IopubPort));
        _iopub.SubscribeToAnyTopic();
    }

    /// <summary>Starts <c>dotnet KbSr.Kernel.dll -f …</c> in <paramref name="workingDirectory"/> and waits until it answers.</summary>
    public static KernelClient Start(string workingDirectory, TimeSpan startTimeout, string? kernelAssembly = null)
    {
        var connection = ConnectionInfo.CreateLocal();
        // The file holds the signing key: owner-only, in a folder only the owner can enter.
        string file = Path.Combine(PrivateFile.CreateFolder("kbsr-kernel-"), "connection.json");
        connection.Write(file);
        var info = new ProcessStartInfo(KernelSpec.DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.GetFullPath(kernelAssembly ?? KernelSpec.KernelAssemblyPath));
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add(file);
        info.ArgumentList.Add(ParentWatch.Argument);   // the kernel ends with this process, even after kill -9
        info.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the kernel process");
        var client = new KernelClient(process, connection, file);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (client._kernelStderr) client._kernelStderr.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try { client.WaitForReady(startTimeout); }
        catch { client.Dispose(); throw; }
        return client;
    }

    private JupyterMessage Send(NetMQSocket socket, string msgType, JsonObject content)
    {
        var message = JupyterMessage.Create(msgType, content, null, _session);
        socket.SendMultipartMessage(message.ToFrames(_signer));
        return message;
    }

    private JupyterMessage? Receive(NetMQSocket socket, TimeSpan timeout)
    {
        var frames = new NetMQMessage();
        if (!socket.TryReceiveMultipartMessage(timeout, ref frames)) return null;
        return JupyterMessage.Parse(frames, _signer, out _);
    }

    private static string ParentId(JupyterMessage m) => m.ParentHeader["msg_id"]?.GetValue<string>() ?? "";

    /// <summary>kernel_info until both the reply and an iopub status arrive (a new subscriber misses early messages).</summary>
    private void WaitForReady(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the kernel process exited with code {_process.ExitCode} while starting: {KernelStderr.Trim()}");
            var request = Send(_shell, "kernel_info_request", []);
            bool replied = false, heard = false;
            var attempt = Stopwatch.StartNew();
            while (attempt.Elapsed < TimeSpan.FromSeconds(1) && !(replied && heard))
            {
                if (Receive(_shell, TimeSpan.FromMilliseconds(20)) is { } r && ParentId(r) == request.MsgId) replied = true;
                if (Receive(_iopub, TimeSpan.FromMilliseconds(20)) is { } p && ParentId(p) == request.MsgId) heard = true;
            }
            if (replied && heard) return;
        }
        throw new TimeoutException($"the kernel did not answer within {timeout.TotalSeconds:0} s: {KernelStderr.Trim()}");
    }

    /// <summary>Runs one cell; on timeout the kernel is interrupted and the outcome's status is "timeout"; when
    /// <paramref name="cancel"/> fires it is interrupted too and the status is "cancelled" (the outputs so far are kept).
    /// <paramref name="onMessage"/> sees each iopub message of the cell as it arrives (e.g. to echo progress).</summary>
    public ExecutionOutcome Execute(string code, TimeSpan timeout, Action<JupyterMessage>? onMessage = null, CancellationToken cancel = default)
    {
        var request = Send(_shell, "execute_request", new JsonObject
        {
            ["code"] = code, ["silent"] = false, ["store_history"] = true, ["user_expressions"] = new JsonObject(),
            ["allow_stdin"] = false, ["stop_on_error"] = true,
        });
        var outputs = new JsonArray();
        string? status = null, ename = null, evalue = null;
        int? count = null;
        bool idle = false, interrupted = false, cancelled = false;
        var clock = Stopwatch.StartNew();
        var grace = Stopwatch.StartNew();
        while (!(idle && status is not null))
        {
            if (cancel.IsCancellationRequested && !cancelled && !interrupted)
            {
                Send(_control, "interrupt_request", []);
                cancelled = true;
                grace.Restart();
            }
            if (cancelled && grace.Elapsed > TimeSpan.FromSeconds(5))
                return new ExecutionOutcome("cancelled", count, outputs, "Cancelled", "the run was stopped while this cell ran");
            if (clock.Elapsed > timeout && !interrupted && !cancelled)
            {
                Send(_control, "interrupt_request", []);
                interrupted = true;
            }
            if (clock.Elapsed > timeout + TimeSpan.FromSeconds(10) || _process.HasExited)
                return new ExecutionOutcome(_process.HasExited ? "died" : "timeout", count, outputs, "Timeout",
                    _process.HasExited ? $"the kernel process exited ({KernelStderr.Trim()})" : $"the cell did not finish within {timeout.TotalSeconds:0} s");
            if (status is null && Receive(_shell, TimeSpan.Zero) is { } reply && ParentId(reply) == request.MsgId)
            {
                status = reply.Content["status"]?.GetValue<string>() ?? "error";
                count = reply.Content["execution_count"]?.GetValue<int>();
            }
            var message = Receive(_iopub, TimeSpan.FromMilliseconds(10));
            if (message is null || ParentId(message) != request.MsgId) continue;
            onMessage?.Invoke(message);
            var c = message.Content;
            switch (message.MsgType)
            {
                case "status": idle |= c["execution_state"]?.GetValue<string>() == "idle"; break;
                case "execute_input": count = c["execution_count"]?.GetValue<int>(); break;
                case "stream":
                    string name = c["name"]!.GetValue<string>(), text = c["text"]!.GetValue<string>();
                    if (outputs.Count > 0 && outputs[^1] is JsonObject last && last["output_type"]?.GetValue<string>() == "stream" && last["name"]?.GetValue<string>() == name)
                        last["text"] = last["text"]!.GetValue<string>() + text;
                    else outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = name, ["text"] = text });
                    break;
                case "display_data":
                    var display = new JsonObject { ["output_type"] = "display_data", ["data"] = c["data"]!.DeepClone(), ["metadata"] = c["metadata"]?.DeepClone() ?? new JsonObject() };
                    outputs.Add(display);
                    if (c["transient"]?["display_id"]?.GetValue<string>() is { } id)
                    {
                        if (!_displays.TryGetValue(id, out var list)) _displays[id] = list = [];
                        list.Add(display);
                    }
                    break;
                case "update_display_data":
                    if (c["transient"]?["display_id"]?.GetValue<string>() is { } uid && _displays.TryGetValue(uid, out var shown))
                        foreach (var o in shown) { o["data"] = c["data"]!.DeepClone(); o["metadata"] = c["metadata"]?.DeepClone() ?? new JsonObject(); }
                    break;
                case "execute_result":
                    outputs.Add(new JsonObject
                    {
                        ["output_type"] = "execute_result", ["execution_count"] = c["execution_count"]?.DeepClone(),
                        ["data"] = c["data"]!.DeepClone(), ["metadata"] = c["metadata"]?.DeepClone() ?? new JsonObject(),
                    });
                    break;
                case "error":
                    ename = c["ename"]?.GetValue<string>();
                    evalue = c["evalue"]?.GetValue<string>();
                    outputs.Add(new JsonObject { ["output_type"] = "error", ["ename"] = ename, ["evalue"] = evalue, ["traceback"] = c["traceback"]?.DeepClone() ?? new JsonArray() });
                    break;
            }
        }
        if (cancelled) return new ExecutionOutcome("cancelled", count, outputs, "Cancelled", "the run was stopped while this cell ran");
        if (interrupted) return new ExecutionOutcome("timeout", count, outputs, "Timeout", $"the cell did not finish within {timeout.TotalSeconds:0} s and was interrupted");
        return new ExecutionOutcome(status!, count, outputs, ename, evalue);
    }

    /// <summary>Asks the kernel to exit and waits for it; kills it if it does not.</summary>
    public void Shutdown(TimeSpan wait)
    {
        if (_process.HasExited) return;
        Send(_control, "shutdown_request", new JsonObject { ["restart"] = false });
        if (!_process.WaitForExit(wait)) _process.Kill(entireProcessTree: true);
    }

    public void Dispose()
    {
        try { Shutdown(TimeSpan.FromSeconds(5)); }
        catch (Exception e) when (e is InvalidOperationException or NetMQException) { }
        foreach (var socket in new NetMQSocket[] { _shell, _control, _iopub })
        {
            socket.Options.Linger = TimeSpan.Zero;
            socket.Dispose();
        }
        _process.Dispose();
        try { Directory.Delete(Path.GetDirectoryName(_connectionFile)!, recursive: true); } catch (IOException) { }
    }
}
