using System.Text;
using KbSr.Runtime;

namespace KbSr.Evaluation;

/// <summary>
/// The running record of an evaluation, <c>{prefix}-journal.csv</c>, so that a long one (Table 1 on CPU takes hours)
/// survives a kill or a lost machine: every image × σ, once all methods have scored it, is appended and flushed to
/// disk. <c>kbsr eval --resume</c> reads it back and evaluates only what is missing; the finished run writes its
/// tables and deletes the journal. Layout: the <see cref="EvalFingerprint"/> as <c># field: value</c> lines, the
/// <see cref="ImageScoreCsv.Header"/>, then rows at full precision (<see cref="ImageScoreCsv.Format"/>, exact).
/// An image × σ is restored only when every method has its row; a line torn by a kill is dropped.
/// </summary>
public sealed class EvalJournal : IDisposable
{
    /// <summary>Largest journal read back (a row is about 150 bytes: over a million image × σ × method rows).</summary>
    public const long MaxBytes = 256L << 20;

    private const string Magic = "# kbsr eval journal v1";
    private readonly Dictionary<(string Set, string Image, double Sigma), IReadOnlyList<ImageScore>> _done;
    private readonly IReadOnlyList<string> _methods;
    private StreamWriter? _writer;
    private RunLock? _guard;

    private EvalJournal(string path, IReadOnlyList<string> methods, Dictionary<(string, string, double), IReadOnlyList<ImageScore>> done)
    {
        FilePath = path;
        _methods = methods;
        _done = done;
    }

    /// <summary>The journal file: <c>{prefix}-journal.csv</c>.</summary>
    public string FilePath { get; }

    /// <summary>Image × σ evaluations read back from an earlier run (0 for a fresh one).</summary>
    public int Restored { get; private set; }

    public static string PathFor(string prefix) => prefix + "-journal.csv";

    /// <summary>Starts a journal, or with <paramref name="resume"/> continues the one an interrupted run left.</summary>
    /// <exception cref="IOException">A journal exists and <paramref name="resume"/> is false (it would be lost), or it
    /// was written under another fingerprint, or it is not a journal.</exception>
    public static EvalJournal Open(string prefix, EvalFingerprint fingerprint, bool resume)
    {
        string path = PathFor(prefix);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        // Held from before the journal is read until the run ends: a second run on this prefix would rewrite the
        // journal by rename, and the first would go on appending to the replaced file, its evaluations lost.
        var guard = RunLock.Acquire(path + ".lock", busy: pid =>
            $"{path}: process {pid} is evaluating into this journal; two runs must not write one --out — wait for it or stop it first");
        try { return Open(path, fingerprint, resume, guard); }
        catch { guard.Dispose(); throw; }
    }

    private static EvalJournal Open(string path, EvalFingerprint fingerprint, bool resume, RunLock guard)
    {
        var done = new Dictionary<(string, string, double), IReadOnlyList<ImageScore>>();
        var journal = new EvalJournal(path, fingerprint.Methods, done) { _guard = guard };
        if (File.Exists(path) && !resume)
            throw new IOException($"{path} holds the evaluations of an earlier run that did not finish: pass --resume to " +
                                  "continue it, or delete the file to start over");
        if (File.Exists(path)) journal.Restore(fingerprint);
        // Rewritten whole (atomically): the restored rows only, so torn or incomplete lines go.
        var text = new StringBuilder().AppendLine(Magic);
        foreach (string line in fingerprint.ToLines()) text.AppendLine(line);
        text.AppendLine(ImageScoreCsv.Header);
        foreach (var rows in done.Values)
            foreach (var row in rows) text.AppendLine(ImageScoreCsv.Format(row, exact: true));
        AtomicFile.WriteAllText(path, text.ToString());
        journal._writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        return journal;
    }

    /// <summary>The scores recorded for this image × σ, or null when it is still to be evaluated.</summary>
    public IReadOnlyList<ImageScore>? Find(string set, string image, double sigma) =>
        _done.GetValueOrDefault((set, image, sigma));

    /// <summary>Records one image × σ (every method's row) and flushes it to disk.</summary>
    public void Append(IReadOnlyList<ImageScore> rows)
    {
        var writer = _writer ?? throw new ObjectDisposedException(nameof(EvalJournal));
        var text = new StringBuilder();
        foreach (var row in rows) text.Append(ImageScoreCsv.Format(row, exact: true)).Append('\n');
        writer.Write(text.ToString());     // one write per image × σ: a kill tears at most this one
        writer.Flush();
        ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
    }

    /// <summary>The run finished and its tables are written: the journal is no longer needed.</summary>
    public void Complete()
    {
        Dispose();
        File.Delete(FilePath);
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
        _guard?.Dispose();
        _guard = null;
    }

    private void Restore(EvalFingerprint expected)
    {
        string text = Runtime.RegularFile.ReadAllText(FilePath, MaxBytes, "evaluation journal");
        var lines = text.Split('\n').ToList();
        lines.RemoveAt(lines.Count - 1);           // after the last '\n': empty, or a line torn by a kill
        if (lines.Count == 0 || lines[0] != Magic)
            throw new IOException($"{FilePath}: not an evaluation journal (expected it to start with \"{Magic}\"); move it away to start over");
        var comments = lines.Skip(1).TakeWhile(l => l.StartsWith("# ", StringComparison.Ordinal)).ToList();
        var differences = EvalFingerprint.Parse(comments).Differences(expected);
        if (differences.Count > 0)
            throw new IOException($"--resume: {FilePath} was written by a different evaluation ({string.Join("; ", differences)}). " +
                                  "Run with the arguments and weights it was made with, or delete it to start over");
        if (lines.Count > comments.Count + 1 && lines[comments.Count + 1] is not (ImageScoreCsv.Header or ImageScoreCsv.HeaderWithoutStageKernels or ImageScoreCsv.HeaderWithoutSpread))
            throw new IOException($"{FilePath}, line {comments.Count + 2}: expected the header \"{ImageScoreCsv.Header}\"; delete the file to start over");
        var rows = new List<ImageScore>();
        for (int i = comments.Count + 2; i < lines.Count; i++)
        {
            try { rows.Add(ImageScoreCsv.Parse(lines[i])); }
            catch (FormatException e) { throw new IOException($"{FilePath}, line {i + 1}: {e.Message}; delete the file to start over", e); }
        }
        foreach (var key in rows.GroupBy(r => (r.Set, r.Image, r.Sigma)))
        {
            // Complete only with exactly one row per method, in the methods' order (as the evaluator makes them).
            var byMethod = key.GroupBy(r => r.Method).ToDictionary(g => g.Key, g => g.Last());
            if (_methods.All(byMethod.ContainsKey))
                _done[key.Key] = _methods.Select(m => byMethod[m]).ToList();
        }
        Restored = _done.Count;
    }
}
