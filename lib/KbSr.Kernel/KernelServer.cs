using System.Text.Json.Nodes;
using KbSr.Kernel.Execution;
using KbSr.Kernel.Formatting;
using KbSr.Kernel.Protocol;
using NetMQ;
using NetMQ.Sockets;

namespace KbSr.Kernel;

/// <summary>
/// The kernel process (docs/design.md §3.2): Jupyter messaging protocol 5.3 over NetMQ. Shell requests run one
/// at a time on the shell thread; control (interrupt, shutdown) and heartbeat have their own threads;
/// iopub is shared under a lock. Badly signed messages are dropped and logged to stderr. Every field is
/// validated before use (README): a signed request with a bad field gets an error reply naming it; a message
/// whose type cannot be read is dropped with a log line. Nothing a client sends ends the process.
/// </summary>
public sealed class KernelServer : IDisplaySink, IDisposable
{
    public const string ImplementationVersion = "0.1.0";

    private readonly ConnectionInfo _connection;
    private readonly MessageSigner _signer;
    private readonly TextWriter _log;
    private readonly Lock _iopubGate = new();
    private readonly RouterSocket _shell = new(), _control = new(), _stdin = new();
    private readonly PublisherSocket _iopub = new();
    private readonly ResponseSocket _heartbeat = new();
    private readonly ScriptEngine _engine;
    private readonly string _session = Guid.NewGuid().ToString("N");
    private volatile bool _running = true;
    private volatile JupyterMessage? _currentParent;
    private int _executionCount;
    private IopubWriter? _stdout, _stderr;

    public int ExitCode { get; private set; }

    /// <summary>Largest message accepted on shell and control (a cell's code and its request, with room to spare). NetMQ
    /// drops a connection that announces a larger one before buffering it, so an unauthenticated peer cannot make the
    /// kernel hold more than this per connection: frames are size-capped before their signature is checked.</summary>
    public const long MaxRequestBytes = 16L << 20;

    /// <summary>Largest message on stdin and heartbeat, which carry a few bytes: the kernel asks no input (stdin is bound
    /// only because front ends connect to it), so its queue is also held to a few messages.</summary>
    public const long MaxSmallMessageBytes = 64L << 10;

    /// <summary>How many recent message ids are remembered to drop a replayed request (<see cref="Accept"/>).</summary>
    public const int RememberedIds = 4096;

    private readonly HashSet<string> _seenIds = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenOrder = new();
    private readonly Lock _seenGate = new();

    public KernelServer(ConnectionInfo connection, TextWriter log, string? workingDirectory = null)
    {
        _connection = connection;
        _signer = new MessageSigner(connection.Key);
        _log = log;
        foreach (var socket in new NetMQSocket[] { _shell, _control }) socket.Options.MaxMsgSize = MaxRequestBytes;
        foreach (var socket in new NetMQSocket[] { _stdin, _heartbeat }) socket.Options.MaxMsgSize = MaxSmallMessageBytes;
        _stdin.Options.ReceiveHighWatermark = 4;
        _shell.Bind(connection.Address(connection.ShellPort));
        _control.Bind(connection.Address(connection.ControlPort));
        _stdin.Bind(connection.Address(connection.StdinPort));
        _iopub.Bind(connection.Address(connection.IopubPort));
        _heartbeat.Bind(connection.Address(connection.HeartbeatPort));
        _engine = new ScriptEngine(this, workingDirectory);
    }

    /// <summary>Serves until a shutdown request; returns the process exit code.</summary>
    public int Run()
    {
        _stdout = new IopubWriter("stdout", PublishStream);
        _stderr = new IopubWriter("stderr", PublishStream);
        Console.SetOut(_stdout);
        Console.SetError(_stderr);
        Console.SetIn(new RefusingReader());
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; _engine.Interrupt(); };
        AppDomain.CurrentDomain.UnhandledException += (_, e) => ReportFatal(e.ExceptionObject);

        var heartbeat = new Thread(HeartbeatLoop) { IsBackground = true, Name = "heartbeat" };
        var control = new Thread(ControlLoop) { IsBackground = true, Name = "control" };
        heartbeat.Start();
        control.Start();
        Publish("status", new JsonObject { ["execution_state"] = "starting" }, null);
        while (_running)
        {
            try
            {
                var message = Receive(_shell, "shell");
                if (message is not null) HandleShell(message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _log.WriteLine($"kbsr-kernel: shell: {e}");
            }
        }
        _stdout.Flush();
        _stderr.Flush();
        control.Join(TimeSpan.FromSeconds(1));
        return ExitCode;
    }

    private JupyterMessage? Receive(NetMQSocket socket, string channel, TimeSpan? wait = null)
    {
        var frames = new NetMQMessage();
        if (!socket.TryReceiveMultipartMessage(wait ?? TimeSpan.FromMilliseconds(100), ref frames)) return null;
        return Accept(frames, socket, channel);
    }

    /// <summary>The parsed message, or null after answering (or dropping) a malformed one.</summary>
    private JupyterMessage? Accept(NetMQMessage frames, NetMQSocket socket, string channel)
    {
        var message = JupyterMessage.Parse(frames, _signer, out var error, out var rejected);
        if (message is not null)
        {
            // A signed request is only as fresh as its id: one seen before is a replay (a captured message sent again)
            // and is dropped. Jupyter's own kernels run replays again; a real front end never reuses an id.
            if (message.MsgId.Length > 0 && !Remember(message.MsgId))
            {
                _log.WriteLine($"kbsr-kernel: dropped a replayed {message.MsgType} on {channel} (message id {message.MsgId} was seen before)");
                return null;
            }
            return message;
        }
        _log.WriteLine($"kbsr-kernel: {(rejected is null ? "ignored" : "rejected")} a message on {channel}: {error}");
        if (rejected is not null) AnswerWithError(socket, rejected.AsParent(), rejected.MsgType, rejected.Problem, withStatus: true);
        return null;
    }

    /// <summary>Records <paramref name="id"/>; false when it was among the last <see cref="RememberedIds"/> seen.</summary>
    private bool Remember(string id)
    {
        lock (_seenGate)
        {
            if (!_seenIds.Add(id)) return false;
            _seenOrder.Enqueue(id);
            if (_seenOrder.Count > RememberedIds) _seenIds.Remove(_seenOrder.Dequeue());
            return true;
        }
    }

    /// <summary>A request that cannot be served gets an error reply (with busy/idle around it, as a front end expects)
    /// so that no front end waits forever; other message types expect no reply.</summary>
    private void AnswerWithError(NetMQSocket socket, JupyterMessage parent, string msgType, string problem, bool withStatus = false, string ename = "InvalidMessage")
    {
        if (parent.Answered || !msgType.EndsWith("_request", StringComparison.Ordinal)) return;
        if (withStatus) Publish("status", Busy, parent);
        var content = new JsonObject { ["status"] = "error", ["ename"] = ename, ["evalue"] = problem, ["traceback"] = new JsonArray() };
        if (msgType == "execute_request") content["execution_count"] = _executionCount;
        Reply(socket, parent, msgType[..^"_request".Length] + "_reply", content);
        if (withStatus) Publish("status", Idle, parent);
    }

    private void HeartbeatLoop()
    {
        while (_running)
        {
            byte[]? ping = null;
            if (_heartbeat.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(100), out ping, out bool more))
            {
                _heartbeat.SendFrame(ping, more);
                while (more && _heartbeat.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(100), out ping, out more))
                    _heartbeat.SendFrame(ping, more);
            }
        }
    }

    private void ControlLoop()
    {
        while (_running)
        {
            try
            {
                var message = Receive(_control, "control");
                if (message is not null) HandleControl(message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _log.WriteLine($"kbsr-kernel: control: {e}");
            }
        }
    }

    private void HandleControl(JupyterMessage message)
    {
        Publish("status", Busy, message);
        try
        {
            switch (message.MsgType)
            {
                case "interrupt_request":
                    _engine.Interrupt();
                    Reply(_control, message, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                    break;
                case "shutdown_request": Shutdown(_control, message); break;
                case "kernel_info_request": Reply(_control, message, "kernel_info_reply", KernelInfo()); break;
                default: NotImplemented("control", message); break;
            }
        }
        catch (InvalidMessageException e)
        {
            _log.WriteLine($"kbsr-kernel: rejected a message on control: {message.MsgType}: {e.Message}");
            AnswerWithError(_control, message, message.MsgType, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.WriteLine($"kbsr-kernel: {message.MsgType} failed: {e}");
            AnswerWithError(_control, message, message.MsgType, $"{e.GetType().Name}: {e.Message}", ename: "KernelError");
        }
        finally
        {
            Publish("status", Idle, message);
        }
    }

    private void NotImplemented(string channel, JupyterMessage message)
    {
        _log.WriteLine($"kbsr-kernel: {channel} message '{message.MsgType}' is not implemented");
        if (message.MsgType.EndsWith("_request", StringComparison.Ordinal))
            throw new InvalidMessageException($"'{message.MsgType}' is not implemented on {channel} by this kernel");
    }

    private static JsonObject Busy => new() { ["execution_state"] = "busy" };
    private static JsonObject Idle => new() { ["execution_state"] = "idle" };

    private void HandleShell(JupyterMessage message)
    {
        Publish("status", Busy, message);
        try
        {
            switch (message.MsgType)
            {
                case "kernel_info_request": Reply(_shell, message, "kernel_info_reply", KernelInfo()); break;
                case "execute_request": Execute(message); break;
                case "is_complete_request":
                    Reply(_shell, message, "is_complete_reply", ScriptEngine.IsComplete(MessageFields.RequiredString(message.Content, "content", "code"))
                        ? new JsonObject { ["status"] = "complete" }
                        : new JsonObject { ["status"] = "incomplete", ["indent"] = "" });
                    break;
                case "complete_request": Complete(message); break;
                case "inspect_request": Inspect(message); break;
                case "comm_info_request": Reply(_shell, message, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() }); break;
                case "history_request": Reply(_shell, message, "history_reply", new JsonObject { ["status"] = "ok", ["history"] = new JsonArray() }); break;
                case "shutdown_request": Shutdown(_shell, message); break;
                case "comm_open": case "comm_msg": case "comm_close": break;
                default: NotImplemented("shell", message); break;
            }
        }
        catch (InvalidMessageException e)
        {
            _log.WriteLine($"kbsr-kernel: rejected a message on shell: {message.MsgType}: {e.Message}");
            AnswerWithError(_shell, message, message.MsgType, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.WriteLine($"kbsr-kernel: {message.MsgType} failed: {e}");
            AnswerWithError(_shell, message, message.MsgType, $"{e.GetType().Name}: {e.Message}", ename: "KernelError");
        }
        finally
        {
            Publish("status", Idle, message);
        }
    }

    private static bool Flag(JupyterMessage m, string key, bool fallback) => MessageFields.OptionalBool(m.Content, "content", key, fallback);

    /// <summary>The request's code and cursor position (in [0, code length]; default: the end).</summary>
    private static (string Code, int Position) CodeAndCursor(JupyterMessage m)
    {
        string code = MessageFields.RequiredString(m.Content, "content", "code");
        return (code, MessageFields.OptionalInt(m.Content, "content", "cursor_pos", code.Length, 0, code.Length));
    }

    private void Execute(JupyterMessage message)
    {
        // Every field is read (and so validated) before anything happens: a bad one leaves no trace.
        string code = MessageFields.RequiredString(message.Content, "content", "code");
        bool silent = Flag(message, "silent", false);
        bool storeHistory = Flag(message, "store_history", !silent) && !silent;
        bool stopOnError = Flag(message, "stop_on_error", true);
        if (storeHistory) _executionCount++;
        int count = _executionCount;
        if (!silent) Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, message);

        _currentParent = message;
        CellResult result;
        try { result = _engine.Execute(code, count); }
        finally { _stdout!.Flush(); _stderr!.Flush(); }
        foreach (var note in result.Notes) PublishStream("stdout", note + "\n");

        if (result.Success)
        {
            if (result.HasValue && !silent)
            {
                JsonObject data;
                try { data = Formatter.Format(result.Value); }
                catch (Exception e) when (e is not OutOfMemoryException) { data = new JsonObject { ["text/plain"] = $"<formatting failed: {e.Message}>" }; }
                Publish("execute_result", new JsonObject { ["execution_count"] = count, ["data"] = data, ["metadata"] = new JsonObject() }, message);
            }
            Reply(_shell, message, "execute_reply", new JsonObject
            {
                ["status"] = "ok", ["execution_count"] = count, ["user_expressions"] = new JsonObject(), ["payload"] = new JsonArray(),
            });
            return;
        }
        var traceback = new JsonArray(result.Traceback.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
        Publish("error", new JsonObject { ["ename"] = result.ErrorName, ["evalue"] = result.ErrorValue, ["traceback"] = traceback.DeepClone() }, message);
        Reply(_shell, message, "execute_reply", new JsonObject
        {
            ["status"] = "error", ["execution_count"] = count, ["ename"] = result.ErrorName, ["evalue"] = result.ErrorValue, ["traceback"] = traceback,
        });
        if (stopOnError) AbortQueued();
    }

    /// <summary>stop_on_error: execute requests already queued behind a failed cell (not later ones) are answered "aborted".</summary>
    private void AbortQueued()
    {
        var frames = new NetMQMessage();
        while (_shell.TryReceiveMultipartMessage(TimeSpan.Zero, ref frames))
        {
            var queued = Accept(frames, _shell, "shell");
            frames = new NetMQMessage();
            if (queued is null) continue;
            if (queued.MsgType != "execute_request") { HandleShell(queued); continue; }
            Publish("status", Busy, queued);
            Reply(_shell, queued, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = _executionCount });
            Publish("status", Idle, queued);
        }
    }

    private void Complete(JupyterMessage message)
    {
        var (code, pos) = CodeAndCursor(message);
        var (matches, start, end) = _engine.Complete(code, pos);
        Reply(_shell, message, "complete_reply", new JsonObject
        {
            ["status"] = "ok", ["matches"] = new JsonArray(matches.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["cursor_start"] = start, ["cursor_end"] = end, ["metadata"] = new JsonObject(),
        });
    }

    private void Inspect(JupyterMessage message)
    {
        var (code, pos) = CodeAndCursor(message);
        string? text = _engine.Inspect(code, pos);
        Reply(_shell, message, "inspect_reply", new JsonObject
        {
            ["status"] = "ok", ["found"] = text is not null,
            ["data"] = text is null ? new JsonObject() : new JsonObject { ["text/plain"] = text }, ["metadata"] = new JsonObject(),
        });
    }

    private void Shutdown(NetMQSocket socket, JupyterMessage message)
    {
        bool restart = Flag(message, "restart", false);
        Reply(socket, message, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
        _engine.Interrupt();
        _running = false;
    }

    private static JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = KernelSpec.Name,
        ["implementation_version"] = ImplementationVersion,
        ["language_info"] = new JsonObject
        {
            ["name"] = "csharp", ["version"] = "13.0", ["mimetype"] = "text/x-csharp", ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp", ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = "C# (KB-SR): Roslyn scripting with KbSr.Lib, TorchSharp and Plotly.NET",
        ["help_links"] = new JsonArray(),
    };

    private void Reply(NetMQSocket socket, JupyterMessage parent, string msgType, JsonObject content)
    {
        var reply = JupyterMessage.Create(msgType, content, parent, _session);
        // Shell and control sockets are each used by one thread only.
        socket.SendMultipartMessage(reply.ToFrames(_signer));
        parent.Answered = true;
    }

    private void Publish(string msgType, JsonObject content, JupyterMessage? parent)
    {
        var message = JupyterMessage.Create(msgType, content, parent, _session);
        message.Identities.Clear();
        var frames = message.ToFrames(_signer);
        frames.Push(msgType);
        lock (_iopubGate) _iopub.SendMultipartMessage(frames);
    }

    /// <summary>An exception no code catches, on a thread a cell started: .NET ends the process after this handler and
    /// no handler can prevent it, so the kernel cannot stay alive. It tells the cell that started it (or the last one)
    /// what happened, as an error output, before it goes; the front end then offers a restart.</summary>
    private void ReportFatal(object exception)
    {
        try
        {
            _stdout?.Flush();
            _stderr?.Flush();
            string text = exception.ToString() ?? "unknown exception";
            string name = exception.GetType().Name, message = (exception as Exception)?.Message ?? text;
            Publish("error", new JsonObject
            {
                ["ename"] = name,
                ["evalue"] = $"{message} — thrown on a thread the cell started and caught by nothing there; .NET ends the process on such " +
                             "an exception, so the kernel stops now: restart it (catch exceptions inside threads you start)",
                ["traceback"] = new JsonArray(text.Split('\n').Select(l => (JsonNode?)JsonValue.Create(l.TrimEnd('\r'))).ToArray()),
            }, _currentParent);
            _log.WriteLine($"kbsr-kernel: unhandled exception on a cell's thread, the process ends: {text}");
            Thread.Sleep(300);   // let the I/O thread send it: the runtime ends the process when this returns
        }
        catch (Exception e) when (e is not OutOfMemoryException) { _log.WriteLine($"kbsr-kernel: could not report the fatal exception: {e.Message}"); }
    }

    private void PublishStream(string name, string text) =>
        Publish("stream", new JsonObject { ["name"] = name, ["text"] = text }, _currentParent);

    void IDisplaySink.Display(JsonObject bundle, string displayId, bool update)
    {
        _stdout?.Flush();
        _stderr?.Flush();
        Publish(update ? "update_display_data" : "display_data", new JsonObject
        {
            ["data"] = bundle, ["metadata"] = new JsonObject(), ["transient"] = new JsonObject { ["display_id"] = displayId },
        }, _currentParent);
    }

    public void Dispose()
    {
        _stdout?.Dispose();
        _stderr?.Dispose();
        foreach (var socket in new NetMQSocket[] { _shell, _control, _stdin, _iopub, _heartbeat })
        {
            socket.Options.Linger = TimeSpan.FromMilliseconds(200);
            socket.Dispose();
        }
    }
}
