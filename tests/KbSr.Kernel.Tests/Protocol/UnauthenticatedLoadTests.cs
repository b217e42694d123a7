using System.Text.Json.Nodes;
using KbSr.Kernel.Protocol;
using NetMQ;
using NetMQ.Sockets;

namespace KbSr.Kernel.Tests.Protocol;

/// <summary>
/// What a peer without the key can make the kernel hold, and what a captured message can make it do again: frames
/// above the size caps are refused before they are buffered (an unsigned 100 MB shell frame and 30 × 20 MB on the
/// never-read stdin socket used to add about 1.5 GB), and a replayed signed request is dropped, not run twice.
/// </summary>
public class UnauthenticatedLoadTests
{
    private static long RssBytes(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024).First();

    private static string Ready(RawKernel kernel)
    {
        var probe = kernel.Send(kernel.Shell, "execute_request", RawKernel.ExecuteContent("1 + 1"));
        Assert.Equal("ok", kernel.ReplyTo(kernel.Shell, probe.MsgId, TimeSpan.FromSeconds(90)).Content["status"]!.GetValue<string>());
        return probe.MsgId;
    }

    [SkippableFact]
    public void OversizedUnsignedFrames_OnShellAndStdin_AreNotBuffered_AndTheKernelStillAnswers()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "reads the kernel's memory from /proc");
        using var kernel = new RawKernel();
        Ready(kernel);
        long before = RssBytes(kernel.ProcessId);

        using (var stdin = new DealerSocket())
        using (var shell = new DealerSocket())
        {
            stdin.Connect(kernel.Connection.Address(kernel.Connection.StdinPort));
            shell.Connect(kernel.Connection.Address(kernel.Connection.ShellPort));
            var big = new byte[20 << 20];
            for (int i = 0; i < 30; i++) stdin.TrySendFrame(TimeSpan.FromSeconds(2), big);
            var huge = new byte[100 << 20];
            shell.TrySendFrame(TimeSpan.FromSeconds(5), huge);
            Thread.Sleep(3000);   // time for the kernel to take in whatever it would take in
            stdin.Options.Linger = TimeSpan.Zero;
            shell.Options.Linger = TimeSpan.Zero;
        }

        long grown = RssBytes(kernel.ProcessId) - before;
        Assert.True(grown < 100L << 20, $"the kernel grew by {grown >> 20} MB on unauthenticated frames");
        Ready(kernel);   // and still serves a genuine client
    }

    [Fact]
    public void ReplayedSignedRequest_IsDropped_AndNewRequestsStillRun()
    {
        using var kernel = new RawKernel();
        Ready(kernel);
        var message = JupyterMessage.Create("execute_request", RawKernel.ExecuteContent("Console.WriteLine(\"ran\"); 7"), null, "test-session");
        var frames = message.ToFrames(kernel.Signer);
        kernel.Shell.SendMultipartMessage(frames);
        Assert.Equal("ok", kernel.ReplyTo(kernel.Shell, message.MsgId, TimeSpan.FromSeconds(60)).Content["status"]!.GetValue<string>());

        kernel.Shell.SendMultipartMessage(message.ToFrames(kernel.Signer));   // the same signed message again
        var clock = System.Diagnostics.Stopwatch.StartNew();   // a loaded machine may take a while to read it
        while (!kernel.Stderr.Contains("dropped a replayed execute_request", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(60))
            Thread.Sleep(100);
        Assert.Contains("dropped a replayed execute_request", kernel.Stderr);
        Assert.Throws<TimeoutException>(() => kernel.ReplyTo(kernel.Shell, message.MsgId, TimeSpan.FromSeconds(2)));
        Ready(kernel);   // and a new request is still answered
    }
}

