using System.Net;
using System.Net.Sockets;
using KbSr.Kernel.Protocol;

namespace KbSr.Kernel.Tests.Protocol;

/// <summary>A kernel's ports are chosen where outgoing connections cannot take them before the kernel binds them.</summary>
public sealed class LoopbackPortsTests
{
    [Fact]
    public void Free_GivesDistinctBindablePorts_OutsideTheEphemeralRange_AndNewOnesOnTheNextCall()
    {
        var first = LoopbackPorts.Free(5);
        var second = LoopbackPorts.Free(5);
        Assert.Equal(10, first.Concat(second).Distinct().Count());
        var range = LoopbackPorts.EphemeralRange();
        foreach (int port in first.Concat(second))
        {
            Assert.InRange(port, LoopbackPorts.Low, LoopbackPorts.High);
            if (range is { } r) Assert.False(port >= r.Low && port <= r.High, $"port {port} is in the ephemeral range {r}");
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();   // free: it binds
            listener.Stop();
        }
    }

    [Fact]
    public void Free_SkipsAPortThatIsInUse()
    {
        // Hold the port the next call would try first: it must not be given out.
        int probe = LoopbackPorts.Free(1)[0];
        int next = probe == LoopbackPorts.High ? LoopbackPorts.Low : probe + 1;
        var holder = new TcpListener(IPAddress.Loopback, next);
        try { holder.Start(); }
        catch (SocketException) { Assert.Fail($"port {next} is already taken on this machine; the test needs it free"); }
        try { Assert.DoesNotContain(next, LoopbackPorts.Free(3)); }
        finally { holder.Stop(); }
    }

    [Theory]
    [InlineData("32768\t60999\n", 32768, 60999)]
    [InlineData("1024 65535", 1024, 65535)]
    public void EphemeralRange_ReadsTheProcFileFormat(string text, int low, int high)
    {
        string file = Path.Combine(TestTools.NewTempDir(), "ip_local_port_range");
        File.WriteAllText(file, text);
        Assert.Equal((low, high), LoopbackPorts.EphemeralRange(file));
    }

    [Fact]
    public void EphemeralRange_MissingOrGarbledFile_IsNull()
    {
        string folder = TestTools.NewTempDir();
        Assert.Null(LoopbackPorts.EphemeralRange(Path.Combine(folder, "absent")));
        File.WriteAllText(Path.Combine(folder, "garbled"), "not numbers");
        Assert.Null(LoopbackPorts.EphemeralRange(Path.Combine(folder, "garbled")));
    }
}
