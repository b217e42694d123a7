using KbSr.Kernel.Protocol;

namespace KbSr.Kernel.Tests.Protocol;

/// <summary>An exception on a thread a cell started ends the .NET process whatever the kernel does; the kernel says so
/// in that cell's output before it goes, instead of vanishing.</summary>
public class FatalThreadExceptionTests
{
    [Fact]
    public void ExceptionOnACellsThread_IsReportedToThatCell_BeforeTheKernelEnds()
    {
        using var kernel = new RawKernel();
        var probe = kernel.Send(kernel.Shell, "execute_request", RawKernel.ExecuteContent("1"));
        kernel.ReplyTo(kernel.Shell, probe.MsgId, TimeSpan.FromSeconds(90));
        var cell = kernel.Send(kernel.Shell, "execute_request",
            RawKernel.ExecuteContent("new System.Threading.Thread(() => throw new InvalidOperationException(\"boom\")).Start(); System.Threading.Thread.Sleep(5000);"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        JupyterMessage? error = null;
        while (error is null && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var m = kernel.Receive(kernel.Iopub, TimeSpan.FromMilliseconds(200));
            if (m is { MsgType: "error" } && m.ParentHeader["msg_id"]?.GetValue<string>() == cell.MsgId) error = m;
            else if (m is null && kernel.HasExited) break;
        }
        Assert.NotNull(error);
        Assert.Equal("InvalidOperationException", error!.Content["ename"]!.GetValue<string>());
        Assert.Contains("boom", error.Content["evalue"]!.GetValue<string>());
        Assert.Contains("restart", error.Content["evalue"]!.GetValue<string>());
        Assert.True(kernel.WaitForExit(TimeSpan.FromSeconds(30)));
    }
}
