using System.Runtime.InteropServices;

namespace KbSr.Kernel;

/// <summary>
/// Ends a kernel whose launcher is gone. `kbsr notebook run` starts the kernel with <c>--parent PID</c>; if that process
/// dies in any way (kill -9 included), this watch notices within a quarter second, deletes the connection file (it holds
/// the signing key) and exits, so no kernel keeps running, listening and holding the key after its runner. A polling
/// watch rather than Linux's parent-death signal: that signal fires when the parent *thread* that forked ends, and .NET
/// may start processes from a pool thread. Kernels started by a Jupyter front end get no <c>--parent</c>: the front end
/// manages them.
/// </summary>
public static class ParentWatch
{
    public const string Argument = "--parent";

    /// <summary>Starts the watch on a background thread.</summary>
    public static void Start(int parentId, string connectionFile, TextWriter log, TimeSpan? every = null)
    {
        var period = every ?? TimeSpan.FromMilliseconds(250);
        var thread = new Thread(() =>
        {
            while (IsAlive(parentId)) Thread.Sleep(period);
            log.WriteLine($"kbsr-kernel: the process that started it ({parentId}) is gone; exiting");
            DeleteConnectionFile(connectionFile);
            Environment.Exit(1);
        }) { IsBackground = true, Name = "kbsr-kernel parent watch" };
        thread.Start();
    }

    /// <summary>Whether <paramref name="parentId"/> is still this process's parent (on Linux and macOS, where an orphan
    /// is re-parented, so a reused process id cannot fool it), else whether a process of that id runs.</summary>
    public static bool IsAlive(int parentId)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) return GetParentId() == parentId;
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(parentId);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
    }

    /// <summary>Removes the connection file and its folder when that folder held nothing else (the runner's private
    /// folder, <c>kbsr-kernel-*</c>).</summary>
    public static void DeleteConnectionFile(string connectionFile)
    {
        try
        {
            File.Delete(connectionFile);
            string? folder = Path.GetDirectoryName(Path.GetFullPath(connectionFile));
            if (folder is not null && Path.GetFileName(folder).StartsWith("kbsr-kernel-", StringComparison.Ordinal) &&
                !Directory.EnumerateFileSystemEntries(folder).Any())
                Directory.Delete(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentId();
}
