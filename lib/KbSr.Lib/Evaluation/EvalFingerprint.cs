using System.Globalization;
using System.Security.Cryptography;
using KbSr.Data;

namespace KbSr.Evaluation;

/// <summary>
/// What makes two evaluation runs the same run: the methods (names in order, and the SHA-256 of every weight file),
/// the test sets' folders, the σ, the protocol, scale, kernel size, image limit, centre crop, LR folder and tiling. An evaluation
/// journal (<see cref="EvalJournal"/>) is resumed only under the fingerprint it was written with, so a resumed table
/// never mixes scores of different weights or inputs.
/// </summary>
public sealed class EvalFingerprint
{
    private EvalFingerprint(IReadOnlyList<KeyValuePair<string, string>> fields, IReadOnlyList<string> methods)
    {
        Fields = fields;
        Methods = methods;
    }

    /// <summary>The methods' table names, in evaluation order: a journal's image × σ is complete when each has its row.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>Ordered (field, value) pairs; values hold no line breaks.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; }

    /// <param name="options">The evaluation's options.</param>
    /// <param name="methods">The methods' table names, in evaluation order.</param>
    /// <param name="files">The weight files behind them (table name or role, path): their SHA-256 is taken.</param>
    /// <param name="tile">Tile side of tiled inference (0 = whole images).</param>
    public static EvalFingerprint For(EvalOptions options, IEnumerable<string> methods, IEnumerable<(string Name, string Path)> files, int tile = 0)
    {
        var inv = CultureInfo.InvariantCulture;
        var names = methods.ToList();
        var fields = new List<KeyValuePair<string, string>>
        {
            new("methods", string.Join(" | ", names)),
        };
        foreach (var (name, path) in files)
            fields.Add(new($"sha256 {name}", Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))));
        fields.Add(new("sets", string.Join(", ", options.Sets.Select(s => Path.GetFullPath(DatasetSplit.Folder(s, options.DataRoot)) + SplitSuffix(s)))));
        fields.Add(new("protocol", options.Gaussian8 ? "gaussian8" : "sigmas"));
        fields.Add(new("sigmas", string.Join(", ", options.EffectiveSigmas.Select(s => s.ToString("R", inv)))));
        fields.Add(new("scale", options.Scale.ToString(inv)));
        fields.Add(new("kernel size", options.KernelSize.ToString(inv)));
        fields.Add(new("max images", options.MaxImages.ToString(inv)));
        fields.Add(new("center crop", options.CenterCrop.ToString(inv)));
        fields.Add(new("lr dir", options.LrDir is null ? "none" : Path.GetFullPath(options.LrDir)));
        fields.Add(new("tile", tile.ToString(inv)));
        return new EvalFingerprint(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value.ReplaceLineEndings(" "))).ToList(), names);

        // A split is part of what was evaluated: "…/BSDS200:val". A whole set keeps its bare folder (older journals match).
        static string SplitSuffix(string spec) => DatasetSplit.Parse(spec).Split is { } split ? DatasetSplit.Separator + split : "";
    }

    /// <summary>Reads the fields back from journal lines <c># field: value</c>.</summary>
    internal static EvalFingerprint Parse(IEnumerable<string> lines) =>
        new(lines.Select(l => l[2..]).Select(l => l.Split(": ", 2)).Where(p => p.Length == 2)
            .Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList(), []);   // compared field by field only

    internal IEnumerable<string> ToLines() => Fields.Select(f => $"# {f.Key}: {f.Value}");

    /// <summary>The fields that differ, as "field: journal value ≠ this run's value" (empty when the runs match).</summary>
    public IReadOnlyList<string> Differences(EvalFingerprint current)
    {
        var mine = Fields.ToDictionary(f => f.Key, f => f.Value);
        var theirs = current.Fields.ToDictionary(f => f.Key, f => f.Value);
        return mine.Keys.Union(theirs.Keys)
            .Where(k => mine.GetValueOrDefault(k) != theirs.GetValueOrDefault(k))
            .Select(k => $"{k}: {mine.GetValueOrDefault(k) ?? "(absent)"} ≠ {theirs.GetValueOrDefault(k) ?? "(absent)"}")
            .ToList();
    }
}
