using KbSr.Imaging;

namespace KbSr.Data;

/// <summary>
/// Named subsets of a training set, so that a training run validates — and picks its best checkpoint — on images it
/// does not train on and that are not test images: Set5, Set14 and BSDS100 are touched only by `kbsr eval`.
/// A set is named <c>NAME</c> (every image of the folder) or <c>NAME:SPLIT</c>. BSDS200 has two splits: <c>val</c>,
/// ten fixed images (every 20th file in ordinal order, starting at the 10th), and <c>train</c>, the other 190.
/// None of the ten is a test image (checked by pixel hash against Set5, Set14 and BSDS100 in the tests), and none is
/// BSD 302003, the scene of Set5's img_005 (data/weights/README.md).
/// </summary>
public static class DatasetSplit
{
    public const char Separator = ':';
    public const string Train = "train", Validation = "val";

    /// <summary>The default training data of a new run and the set it validates on.</summary>
    public static IReadOnlyList<string> DefaultTraining { get; } = ["T91", "BSDS200:train"];
    public const string DefaultValidation = "BSDS200:val";

    /// <summary>The validation images of each split set, by file name without extension.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ValidationImages { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["BSDS200"] = ["108041", "138032", "16052", "187029", "216066", "246016", "286092", "353013", "45077", "76002"],
    };

    /// <summary>"NAME" or "NAME:SPLIT" → (NAME, SPLIT or null); throws naming the accepted splits.</summary>
    public static (string Set, string? Split) Parse(string spec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        int at = spec.IndexOf(Separator);
        if (at < 0) return (spec, null);
        string set = spec[..at], split = spec[(at + 1)..];
        if (!ValidationImages.ContainsKey(set))
            throw new ArgumentException($"set '{spec}': {set} has no splits (sets with splits: {string.Join(", ", ValidationImages.Keys)})");
        if (split is not (Train or Validation))
            throw new ArgumentException($"set '{spec}': unknown split '{split}'; expected {set}:{Train} or {set}:{Validation}");
        return (set, split);
    }

    /// <summary>The folder that holds the set of <paramref name="spec"/> under the data root.</summary>
    public static string Folder(string spec, string? dataRoot = null) => DataRoot.SetFolder(Parse(spec).Set, dataRoot);

    /// <summary>The image files of <paramref name="spec"/>, in ordinal order; throws when a validation image is missing.</summary>
    public static IReadOnlyList<string> Images(string spec, string? dataRoot = null)
    {
        var (set, split) = Parse(spec);
        string folder = DataRoot.SetFolder(set, dataRoot);
        var files = ImageFile.ListImages(folder);
        if (split is null) return files;
        var held = ValidationImages[set];
        var byName = files.ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal);
        var missing = held.Where(n => !byName.ContainsKey(n)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{folder}: the {spec} split needs {string.Join(", ", missing)}, which are not there (is this the full {set}?)");
        var heldSet = held.ToHashSet(StringComparer.Ordinal);
        return files.Where(f => heldSet.Contains(Path.GetFileNameWithoutExtension(f)) == (split == Validation)).ToList();
    }
}
