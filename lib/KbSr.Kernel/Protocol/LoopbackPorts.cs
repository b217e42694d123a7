using System.Net;
using System.Net.Sockets;

namespace KbSr.Kernel.Protocol;

/// <summary>
/// Free loopback ports for a kernel's five channels. The kernel binds them only after it has started (seconds later),
/// so a port the OS hands out for outgoing connections can be taken in between, and the kernel then dies with
/// "address already in use". The ports are therefore taken below the OS's ephemeral range, which outgoing
/// connections never use, and each is checked free by binding it; a process-wide counter keeps concurrent starts in
/// one process on different ports.
/// </summary>
public static class LoopbackPorts
{
    /// <summary>Where the ports are taken: above the registered services most machines run, below Linux's default
    /// ephemeral range (32768–60999) and Windows' and macOS's (49152–65535).</summary>
    public const int Low = 20_000, High = 32_767;

    private static int _next = Low + Random.Shared.Next(High - Low + 1);

    /// <summary>The OS's ephemeral port range, where it can be read (Linux); null elsewhere.</summary>
    public static (int Low, int High)? EphemeralRange(string file = "/proc/sys/net/ipv4/ip_local_port_range")
    {
        try
        {
            var parts = File.ReadAllText(file).Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && int.TryParse(parts[0], out int low) && int.TryParse(parts[1], out int high) ? (low, high) : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary><paramref name="count"/> distinct ports that were free on 127.0.0.1 when checked, outside the
    /// ephemeral range; where that range covers all of <see cref="Low"/>–<see cref="High"/>, ports the OS picks.</summary>
    public static int[] Free(int count)
    {
        var ephemeral = EphemeralRange();
        if (ephemeral is { } range && range.Low <= Low && range.High >= High) return OsPicked(count);
        var ports = new List<int>();
        var held = new List<TcpListener>();
        try
        {
            for (int tries = 0; ports.Count < count && tries < High - Low + 1; tries++)
            {
                int port = Interlocked.Increment(ref _next);
                port = Low + (port - Low) % (High - Low + 1);
                if (ephemeral is { } r && port >= r.Low && port <= r.High) continue;
                var listener = new TcpListener(IPAddress.Loopback, port);
                try { listener.Start(); }
                catch (SocketException) { continue; }   // in use: try the next
                held.Add(listener);
                ports.Add(port);
            }
        }
        finally { foreach (var l in held) l.Stop(); }
        return ports.Count == count ? [.. ports] : OsPicked(count);
    }

    private static int[] OsPicked(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            foreach (var l in listeners) l.Start();
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally { foreach (var l in listeners) l.Stop(); }
    }
}
