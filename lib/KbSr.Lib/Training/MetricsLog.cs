using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KbSr.Training;

/// <summary>Appends one record per line to <c>{name}.jsonl</c> and <c>{name}.csv</c> in a run folder
/// (the trainer keeps "metrics" for training steps and "validation" for validation passes).
/// Each record is flushed as written, so a crash loses at most the line being written. On resume the
/// files are truncated to the resumed step, so they never hold two versions of a step.</summary>
public sealed class MetricsLog
{
    private readonly string _jsonl;
    private readonly string _csv;
    private List<string>? _columns;

    public MetricsLog(string folder, string name = "metrics")
    {
        _jsonl = Path.Combine(folder, name + ".jsonl");
        _csv = Path.Combine(folder, name + ".csv");
        if (File.Exists(_csv))
        {
            string? header = File.ReadLines(_csv).FirstOrDefault();
            if (!string.IsNullOrEmpty(header)) _columns = header.Split(',').ToList();
        }
    }

    /// <summary>Drops every record with step ≥ <paramref name="fromStep"/> (used when resuming), and any line
    /// left incomplete by a crash.</summary>
    public void TruncateFrom(long fromStep)
    {
        if (File.Exists(_jsonl))
        {
            var keep = File.ReadLines(_jsonl).Where(l => KeepJson(l, fromStep)).ToList();
            AtomicFile.WriteAllText(_jsonl, keep.Count == 0 ? "" : string.Join('\n', keep) + "\n");
        }
        if (File.Exists(_csv))
        {
            var lines = File.ReadLines(_csv).ToList();
            int columns = lines.Count > 0 ? lines[0].Split(',').Length : 0;
            var keep = lines.Take(1).Concat(lines.Skip(1).Where(l => l.Split(',') is var cells && cells.Length == columns &&
                long.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) && s < fromStep)).ToList();
            AtomicFile.WriteAllText(_csv, keep.Count == 0 ? "" : string.Join('\n', keep) + "\n");
        }
    }

    // A line cut short by a crash, or edited into something that is not a record with an integer step, is dropped
    // (the CSV keeps the same steps): it is not fatal to the resume.
    private static bool KeepJson(string line, long fromStep)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.ValueKind == JsonValueKind.Object &&
                   doc.RootElement.TryGetProperty("step", out var s) && s.ValueKind == JsonValueKind.Number &&
                   s.TryGetInt64(out long step) && step < fromStep;
        }
        catch (JsonException) { return false; }
    }

    /// <summary>Writes a record; <c>step</c> must be one of its keys. The CSV's columns are those of the
    /// first record; later keys appear in the JSONL only.</summary>
    public void Write(IReadOnlyDictionary<string, double> record)
    {
        if (!record.ContainsKey("step")) throw new ArgumentException("metrics record without 'step'");
        var json = JsonSerializer.Serialize(record.ToDictionary(kv => kv.Key,
            kv => kv.Key == "step" ? (object)(long)kv.Value : double.IsFinite(kv.Value) ? kv.Value : (object)kv.Value.ToString(CultureInfo.InvariantCulture)));
        File.AppendAllText(_jsonl, json + "\n");

        if (_columns is null)
        {
            _columns = ["step", .. record.Keys.Where(k => k != "step").OrderBy(k => k, StringComparer.Ordinal)];
            File.AppendAllText(_csv, string.Join(',', _columns) + "\n");
        }
        var line = new StringBuilder();
        foreach (string c in _columns)
        {
            if (line.Length > 0 || c != _columns[0]) line.Append(',');
            if (record.TryGetValue(c, out double v)) line.Append(v.ToString("R", CultureInfo.InvariantCulture));
        }
        File.AppendAllText(_csv, line.Append('\n').ToString());
    }
}
