using System.Text.Json;

namespace KbSr.Runtime;

/// <summary>
/// A lock file one process holds on something two processes must not write at once (process id, start time,
/// machine): a training's run folder (<c>train.lock</c>), an evaluation's journal (<c>{out}-journal.csv.lock</c>).
/// A lock whose process is gone (<c>kill -9</c>, a crash) is stale: the next process removes it, says so, and goes
/// on. A lock from another machine (a shared disk) cannot be checked and is respected; its message says which file to
/// delete when that process is known to be over.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly string _path;
    private readonly string _content;
    private bool _released;

    private RunLock(string path, string content) => (_path, _content) = (path, content);

    private sealed record Owner(int Pid, long StartTicks, string Machine);

    /// <summary>Takes the lock at <paramref name="path"/>; throws an <see cref="IOException"/> naming the owner when
    /// a live process holds it. <paramref name="log"/> hears about a stale lock being removed. <paramref name="busy"/>
    /// words the refusal for other owners than trainings (given the owner's process id).</summary>
    public static RunLock Acquire(string path, Action<string>? log = null, Func<int, string>? busy = null)
    {
        var me = new Owner(Environment.ProcessId, LiveProcess.CurrentStartTicks, Environment.MachineName);
        string content = JsonSerializer.Serialize(me);
        for (int attempt = 0; attempt < 8; attempt++)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                using (var writer = new StreamWriter(stream))
                    writer.Write(content);
                return new RunLock(path, content);
            }
            catch (IOException) when (File.Exists(path))
            {
                Owner? owner = Read(path);
                if (owner is null && DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < TimeSpan.FromSeconds(2))
                {
                    Thread.Sleep(300); // just created by another process that has not written its id yet
                    continue;
                }
                string folder = Path.GetDirectoryName(path)!;
                if (owner is not null && owner.Machine != Environment.MachineName)
                    throw new IOException($"{folder} is locked by process {owner.Pid} on machine {owner.Machine} ({path}); " +
                                          "if its work is over, delete the lock file and try again");
                if (owner is not null && LiveProcess.IsRunning(owner.Pid, owner.StartTicks))
                    throw new IOException(busy?.Invoke(owner.Pid) ?? $"{folder}: process {owner.Pid} is training in this run folder ({path}); " +
                                          "two trainings must not write one run — wait for it or stop it first");
                log?.Invoke($"removing stale lock {path} (process {owner?.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} is gone)");
                File.Delete(path);
            }
        }
        throw new IOException($"{path}: could not take the run-folder lock (another process keeps creating it)");
    }

    private static Owner? Read(string path)
    {
        try { return JsonSerializer.Deserialize<Owner>(File.ReadAllText(path)); }
        catch (Exception e) when (e is JsonException or IOException) { return null; } // half-written by a killed process: stale
    }

    /// <summary>Removes the lock file if it is still this one.</summary>
    public void Dispose()
    {
        if (_released) return;
        _released = true;
        try
        {
            if (File.Exists(_path) && File.ReadAllText(_path) == _content) File.Delete(_path);
        }
        catch (IOException) { /* the folder was removed or the lock taken over: nothing of ours to release */ }
    }
}
