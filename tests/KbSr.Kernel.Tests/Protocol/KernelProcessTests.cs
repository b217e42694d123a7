using System.Diagnostics;
using System.Text.Json.Nodes;
using KbSr.Kernel.Notebooks;
using KbSr.Kernel.Protocol;
using NetMQ;
using NetMQ.Sockets;

namespace KbSr.Kernel.Tests.Protocol;

/// <summary>The kernel process over raw NetMQ and through the C# client: signatures, interrupt, shutdown, notebook runs.</summary>
public class KernelProcessTests
{
    [Fact]
    public void Kernel_WrongSignatureIgnored_StopOnErrorAborts_ShutdownExits()
    {
        var connection = ConnectionInfo.CreateLocal();
        string file = Path.Combine(TestTools.NewTempDir(), "connection.json");
        connection.Write(file);
        var info = new ProcessStartInfo(KernelSpec.DotnetHost()) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { KernelSpec.KernelAssemblyPath, "-f", file }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        try
        {
            using var shell = new DealerSocket();
            shell.Connect(connection.Address(connection.ShellPort));
            var good = new MessageSigner(connection.Key);
            var bad = new MessageSigner("not-the-key");

            var forged = JupyterMessage.Create("kernel_info_request", []);
            shell.SendMultipartMessage(forged.ToFrames(bad));
            var genuine = JupyterMessage.Create("kernel_info_request", []);
            shell.SendMultipartMessage(genuine.ToFrames(good));

            var frames = new NetMQMessage();
            Assert.True(shell.TryReceiveMultipartMessage(TimeSpan.FromSeconds(30), ref frames), "no reply to a correctly signed request");
            var reply = JupyterMessage.Parse(frames, good, out var error);
            Assert.NotNull(reply);
            Assert.Equal(genuine.MsgId, reply!.ParentHeader["msg_id"]!.GetValue<string>());
            Assert.Equal("5.3", reply.Content["protocol_version"]!.GetValue<string>());
            frames = new NetMQMessage();
            Assert.False(shell.TryReceiveMultipartMessage(TimeSpan.FromMilliseconds(500), ref frames), "the forged request was answered");
            lock (stderr) Assert.Contains("signature mismatch", stderr.ToString(), StringComparison.Ordinal);

            // stop_on_error: a request queued behind a failing cell is aborted; a later one runs again.
            JsonObject Exec(string code) => new() { ["code"] = code, ["silent"] = false, ["store_history"] = true, ["stop_on_error"] = true, ["user_expressions"] = new JsonObject(), ["allow_stdin"] = false };
            JupyterMessage NextReply()
            {
                var f = new NetMQMessage();
                Assert.True(shell.TryReceiveMultipartMessage(TimeSpan.FromSeconds(30), ref f), "no execute_reply");
                return JupyterMessage.Parse(f, good, out _)!;
            }
            shell.SendMultipartMessage(JupyterMessage.Create("execute_request", Exec("throw new Exception(\"x\");")).ToFrames(good));
            shell.SendMultipartMessage(JupyterMessage.Create("execute_request", Exec("1")).ToFrames(good));
            Assert.Equal("error", NextReply().Content["status"]!.GetValue<string>());
            Assert.Equal("aborted", NextReply().Content["status"]!.GetValue<string>());
            shell.SendMultipartMessage(JupyterMessage.Create("execute_request", Exec("2")).ToFrames(good));
            var third = NextReply();
            Assert.Equal("ok", third.Content["status"]!.GetValue<string>());
            Assert.Equal(2, third.Content["execution_count"]!.GetValue<int>()); // the aborted request took no number

            var shutdown = JupyterMessage.Create("shutdown_request", new JsonObject { ["restart"] = false });
            shell.SendMultipartMessage(shutdown.ToFrames(good));
            Assert.True(process.WaitForExit(10_000), "kernel did not exit after shutdown_request");
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill(true);
        }
    }

    [Fact]
    public void Kernel_InterruptStopsEndlessLoops_ThenKeepsState_AndShutdownEndsProcess()
    {
        var client = KernelClient.Start(Path.GetTempPath(), TimeSpan.FromSeconds(60));
        Process process;
        try
        {
            process = Process.GetProcessById(client.ProcessId);
            Assert.Equal("ok", client.Execute("var kept = 41;", TimeSpan.FromSeconds(30)).Status);
            var busy = client.Execute("long n = 0;\nwhile (true) { n++; }", TimeSpan.FromSeconds(1));
            Assert.Equal("timeout", busy.Status);
            Assert.Contains(busy.Outputs, o => o!["ename"]?.GetValue<string>() == "KernelInterrupted");
            var sleepy = client.Execute("while (true) { System.Threading.Thread.Sleep(50); }", TimeSpan.FromSeconds(1));
            Assert.Contains(sleepy.Outputs, o => o!["ename"]?.GetValue<string>() == "KernelInterrupted");
            var cooperative = client.Execute("while (true) { Kernel.Cancellation.ThrowIfCancellationRequested(); }", TimeSpan.FromSeconds(1));
            Assert.Contains(cooperative.Outputs, o => o!["ename"]?.GetValue<string>() == "KernelInterrupted");
            var after = client.Execute("kept + 1", TimeSpan.FromSeconds(30));
            Assert.Equal("42", after.Outputs.Single()!["data"]!["text/plain"]!.GetValue<string>());

            client.Shutdown(TimeSpan.FromSeconds(10));
            Assert.True(process.HasExited);
        }
        finally { client.Dispose(); }
    }

    [Fact]
    public void Kernel_StreamsOutputWhileTheCellRuns()
    {
        using var client = KernelClient.Start(Path.GetTempPath(), TimeSpan.FromSeconds(60));
        // An ordering check, not a timing one: the cell cannot finish before the test has received its first print,
        // because it waits for the file the test writes on receiving it. Without streaming the gate never opens.
        string gate = Path.Combine(TestTools.NewTempDir(), "seen-one");
        var events = new List<string>();
        var r = client.Execute(
            "Console.WriteLine(\"one\");\n" +
            "var until = DateTime.UtcNow.AddSeconds(60);\n" +
            $"while (!File.Exists(@\"{gate}\") && DateTime.UtcNow < until) Thread.Sleep(10);\n" +
            $"Console.WriteLine(File.Exists(@\"{gate}\") ? \"two\" : \"the first print never reached the client\");",
            TimeSpan.FromSeconds(120),
            m =>
            {
                string text = m.MsgType == "stream" ? m.Content["text"]!.GetValue<string>() : m.Content["execution_state"]?.GetValue<string>() ?? "";
                events.Add($"{m.MsgType}:{text}");
                if (m.MsgType == "stream" && text.Contains("one", StringComparison.Ordinal)) File.WriteAllText(gate, "");
            });
        Assert.Equal("ok", r.Status);
        Assert.Equal("one\ntwo\n", r.Outputs.Single()!["text"]!.GetValue<string>());
        // Outputs in order, all before the cell's idle status.
        int one = events.IndexOf("stream:one\n"), two = events.FindIndex(e => e.Contains("two", StringComparison.Ordinal)), idle = events.IndexOf("status:idle");
        Assert.True(one >= 0 && one < two && two < idle, string.Join(" | ", events));

        var input = client.Execute("Console.ReadLine()", TimeSpan.FromSeconds(30));
        Assert.Equal("error", input.Status);
        Assert.Contains("stdin", input.ErrorValue, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Thread.Sleep(30_000);")]
    [InlineData("new ManualResetEventSlim(false).Wait();")]
    [InlineData("Task.Delay(30_000).Wait();")]
    [InlineData("new SemaphoreSlim(0).Wait();")]
    public void Kernel_InterruptReachesACellBlockedInACall_StateKept(string blocking)
    {
        using var kernel = new RawKernel();
        var wait = TimeSpan.FromSeconds(60);
        var define = kernel.Send(kernel.Shell, "execute_request", RawKernel.ExecuteContent("var kept = 41;"));
        Assert.Equal("ok", kernel.ReplyTo(kernel.Shell, define.MsgId, wait).Content["status"]!.GetValue<string>());

        var cell = kernel.Send(kernel.Shell, "execute_request", RawKernel.ExecuteContent("Console.WriteLine(\"blocking\");\n" + blocking));
        kernel.WaitForStream(cell.MsgId, "blocking", wait); // the cell is running (compiled, past its first line)
        var clock = Stopwatch.StartNew();
        var interrupt = kernel.Send(kernel.Control, "interrupt_request", []);
        Assert.Equal("ok", kernel.ReplyTo(kernel.Control, interrupt.MsgId, wait).Content["status"]!.GetValue<string>());
        var reply = kernel.ReplyTo(kernel.Shell, cell.MsgId, wait);
        // Generous: the blocked call would take 30 s or forever; an interrupted one ends after a short grace period.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the interrupted cell answered after {clock.Elapsed.TotalSeconds:0} s");
        Assert.Equal("error", reply.Content["status"]!.GetValue<string>());
        Assert.Equal("KernelInterrupted", reply.Content["ename"]!.GetValue<string>());

        var after = kernel.Send(kernel.Shell, "execute_request", RawKernel.ExecuteContent("kept + 1"));
        Assert.Equal("ok", kernel.ReplyTo(kernel.Shell, after.MsgId, wait).Content["status"]!.GetValue<string>());
        JupyterMessage? result = null;
        while (result is null && kernel.Receive(kernel.Iopub, wait) is { } m)
            if (m.MsgType == "execute_result" && m.ParentHeader["msg_id"]?.GetValue<string>() == after.MsgId) result = m;
        Assert.Equal("42", result!.Content["data"]!["text/plain"]!.GetValue<string>());
    }

    [Fact]
    public void Kernel_ShutdownWhileACellIsBlocked_ReplyThenExit()
    {
        using var kernel = new RawKernel();
        var wait = TimeSpan.FromSeconds(60);
        var cell = kernel.Send(kernel.Shell, "execute_request", RawKernel.ExecuteContent("Console.WriteLine(\"blocking\");\nThread.Sleep(120_000);"));
        kernel.WaitForStream(cell.MsgId, "blocking", wait);
        var shutdown = kernel.Send(kernel.Control, "shutdown_request", new JsonObject { ["restart"] = false });
        Assert.Equal("ok", kernel.ReplyTo(kernel.Control, shutdown.MsgId, wait).Content["status"]!.GetValue<string>());
        Assert.Equal("KernelInterrupted", kernel.ReplyTo(kernel.Shell, cell.MsgId, wait).Content["ename"]!.GetValue<string>());
        // The sleep has 120 s to go; the process must not wait for it.
        Assert.True(kernel.WaitForExit(TimeSpan.FromSeconds(60)), "the kernel did not exit while its cell was blocked");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes; on Windows the profile folder's ACL protects it
    public void KernelClient_ConnectionFile_OwnerOnlyInAPrivateFolder_RemovedAfterwards()
    {
        string file, folder;
        using (var client = KernelClient.Start(Path.GetTempPath(), TimeSpan.FromSeconds(60)))
        {
            file = client.ConnectionFile;
            folder = Path.GetDirectoryName(file)!;
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
            Assert.NotEqual(Path.GetFullPath(Path.GetTempPath()).TrimEnd('/'), folder.TrimEnd('/')); // not the shared temp folder itself
            Assert.Contains("\"key\"", File.ReadAllText(file), StringComparison.Ordinal);
        }
        Assert.False(File.Exists(file));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void NotebookRunner_UnknownOrBadParameter_RejectedBeforeRunning()
    {
        string outPath = Path.Combine(TestTools.NewTempDir(), "never.ipynb");
        var unknown = Assert.Throws<ParameterException>(() => NotebookRunner.Run(new NotebookRunOptions(TestTools.NotebookPath("failing.ipynb"), outPath,
            new Dictionary<string, string> { ["Nope"] = "1" }, TimeSpan.FromSeconds(60))));
        Assert.Contains("'Nope'", unknown.Message, StringComparison.Ordinal);
        var typed = Assert.Throws<ParameterException>(() => NotebookRunner.Run(new NotebookRunOptions(TestTools.NotebookPath("failing.ipynb"), outPath,
            new Dictionary<string, string> { ["Steps"] = "2.5" }, TimeSpan.FromSeconds(60))));
        Assert.Contains("an int", typed.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(outPath));
    }

    [Fact]
    public void NotebookRunner_FailingCell_NonZeroNamesCell_AndWritesExecutedCopy()
    {
        string outPath = Path.Combine(TestTools.NewTempDir(), "failing.out.ipynb");
        var result = NotebookRunner.Run(new NotebookRunOptions(TestTools.NotebookPath("failing.ipynb"), outPath,
            new Dictionary<string, string> { ["Smoke"] = "true", ["Steps"] = "4" }, TimeSpan.FromSeconds(60)));
        Assert.False(result.Success);
        Assert.Equal(4, result.FailedCell); // parameters, injected, a, b(fails)
        Assert.Contains("fails here", result.Message, StringComparison.Ordinal);
        var cells = JsonNode.Parse(File.ReadAllText(outPath))!["cells"]!.AsArray();
        Assert.Equal(5, cells.Count);
        Assert.Equal("injected-parameters", cells[1]!["metadata"]!["tags"]![0]!.GetValue<string>());
        var a = cells[2]!["outputs"]!.AsArray();
        string stdout = a[0]!["text"]!.GetValue<string>();
        Assert.Contains("Plotly.NET", stdout, StringComparison.Ordinal); // the hosted-package note
        Assert.Contains("smoke\n", stdout, StringComparison.Ordinal);
        Assert.Equal("4", a[1]!["data"]!["text/plain"]!.GetValue<string>());
        Assert.Null(cells[4]!["execution_count"]); // not run after the failure
        Assert.Empty(cells[4]!["outputs"]!.AsArray());
    }
}
