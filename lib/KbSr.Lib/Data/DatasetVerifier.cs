using System.Security.Cryptography;
using KbSr.Imaging;

namespace KbSr.Data;

/// <summary>The outcome of checking one dataset folder.</summary>
/// <param name="Name">The catalogue name.</param>
/// <param name="Folder">Where the images were looked for.</param>
/// <param name="Present">Whether <see cref="Folder"/> exists.</param>
/// <param name="Expected">Image files the catalogue expects.</param>
/// <param name="Found">Image files found in the folder.</param>
/// <param name="Checked">Files whose SHA-256 was compared with a manifest.</param>
/// <param name="Problems">Each mismatch, in words; empty when everything agrees.</param>
public sealed record DatasetCheck(string Name, string Folder, bool Present, int Expected, int Found, int Checked,
                                  IReadOnlyList<string> Problems)
{
    public bool Ok => Present && Problems.Count == 0;
}

/// <summary>
/// Checks a local copy of a dataset (docs/design.md §3.4): the image count against the catalogue, and
/// every file listed in a <c>sha256sum</c>-style manifest — <c>&lt;root&gt;/MANIFEST.sha256</c> with
/// paths like <c>./Set5/img_001.png</c>, or <c>&lt;root&gt;/&lt;Name&gt;/MANIFEST.sha256</c> with bare names.
/// </summary>
public static class DatasetVerifier
{
    public const string ManifestName = "MANIFEST.sha256";

    public static DatasetCheck Verify(DatasetInfo info, string root)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        root = Path.GetFullPath(root);
        var counted = CountOnly(info, root);
        if (!counted.Present) return counted;
        string folder = counted.Folder;
        var problems = counted.Problems.ToList();

        var entries = ReadManifest(Path.Combine(root, ManifestName), root)
            .Where(e => IsInside(e.Path, folder))
            .Concat(ReadManifest(Path.Combine(folder, ManifestName), folder))
            .ToList();
        foreach (var (path, expected) in entries)
        {
            string shown = Path.GetRelativePath(root, path);
            if (!File.Exists(path)) { problems.Add($"{shown}: listed in {ManifestName} but missing"); continue; }
            string actual = Sha256Of(path);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                problems.Add($"{shown}: SHA-256 {actual}, expected {expected}");
        }
        return counted with { Checked = entries.Count, Problems = problems };
    }

    /// <summary>Only the image count (no checksums): cheap enough for a listing.</summary>
    public static DatasetCheck CountOnly(DatasetInfo info, string root)
    {
        ArgumentNullException.ThrowIfNull(info);
        string folder = Path.Combine(Path.GetFullPath(root), info.Name);
        if (!Directory.Exists(folder))
            return new DatasetCheck(info.Name, folder, false, info.Files, 0, 0, [$"{folder} does not exist"]);
        int found = Directory.EnumerateFiles(folder).Count(ImageFile.IsImage);
        return new DatasetCheck(info.Name, folder, true, info.Files, found, 0,
                                found == info.Files ? [] : [$"{found} image files, expected {info.Files}"]);
    }

    public static IReadOnlyList<DatasetCheck> Verify(IEnumerable<DatasetInfo> datasets, string root) =>
        [.. datasets.Select(d => Verify(d, root))];

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// The (full path, hash) pairs of a <c>sha256sum</c> manifest (<c>HASH  path</c> or <c>HASH *path</c>),
    /// paths relative to <paramref name="baseFolder"/>; empty when the file does not exist.
    /// </summary>
    public static IReadOnlyList<(string Path, string Sha256)> ReadManifest(string manifest, string baseFolder)
    {
        if (!File.Exists(manifest)) return [];
        var entries = new List<(string, string)>();
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(manifest))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string hash = space < 0 ? line : line[..space];
            string name = space < 0 ? "" : line[(space + 1)..].TrimStart(' ', '*');
            if (hash.Length != 64 || !hash.All(Uri.IsHexDigit) || name.Length == 0)
                throw new InvalidDataException($"{manifest}:{lineNumber}: expected '<64 hex digits>  <path>', got '{raw}'");
            entries.Add((Path.GetFullPath(Path.Combine(baseFolder, name)), hash.ToLowerInvariant()));
        }
        return entries;
    }

    private static bool IsInside(string path, string folder) =>
        path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
