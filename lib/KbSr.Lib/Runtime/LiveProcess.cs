using System.Diagnostics;

namespace KbSr.Runtime;

/// <summary>Whether the process that left a lock or a temporary file behind is still running: how run-folder locks,
/// atomic-write temporaries and download folders tell a live owner from one killed with <c>kill -9</c>.</summary>
public static class LiveProcess
{
    /// <summary>This process's start time (UTC ticks), recorded next to its id so a reused id is not mistaken for it.</summary>
    public static long CurrentStartTicks => StartTicks(Environment.ProcessId) ?? 0;

    /// <summary>Whether a process with this id runs on this machine and, when <paramref name="startTicks"/> is given
    /// (non-zero), started then (within a second).</summary>
    public static bool IsRunning(int pid, long startTicks = 0)
    {
        if (pid <= 0) return false;
        if (pid == Environment.ProcessId) return startTicks == 0 || Math.Abs(CurrentStartTicks - startTicks) < TimeSpan.TicksPerSecond;
        long? started = StartTicks(pid);
        return started is not null && (startTicks == 0 || Math.Abs(started.Value - startTicks) < TimeSpan.TicksPerSecond);
    }

    private static long? StartTicks(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return null;
            try { return process.StartTime.ToUniversalTime().Ticks; }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                return 0; // running, start time unreadable (another user's process): treat as alive
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null; // no such process
        }
    }
}
