using System.Globalization;
using System.Text;
using KbSr.Runtime;

namespace KbSr;

/// <summary>Writes files so that a reader never sees half a file and a crash never destroys the old
/// one: write a temporary file next to the target, flush it to disk, then rename over the target.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, s =>
    {
        var bytes = new UTF8Encoding(false).GetBytes(text);
        s.Write(bytes);
    });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>
    /// Deletes the temporary files <see cref="Write"/> left in <paramref name="folder"/> when its process was killed
    /// mid-write (<c>.NAME.PID.GUID.tmp</c> whose process is gone); a live writer's file is left alone. Returns the
    /// files removed. Trainers call it on the run folder when they start or resume.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleTemporaries(string folder)
    {
        var removed = new List<string>();
        if (!Directory.Exists(folder)) return removed;
        foreach (string file in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            string[] parts = Path.GetFileName(file).Split('.');
            // "", NAME…, PID, GUID, "tmp"
            if (parts.Length < 5 || parts[^2].Length != 32 || !int.TryParse(parts[^3], NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                continue;
            if (LiveProcess.IsRunning(pid)) continue;
            try
            {
                File.Delete(file);
                removed.Add(file);
            }
            catch (IOException) { /* removed meanwhile */ }
        }
        return removed;
    }

    /// <summary>Runs <paramref name="write"/> on a temporary stream and moves the result into place.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
