using System.Text.Json;
using System.Text.Json.Serialization;

namespace KbSr.Data;

/// <summary>
/// The dataset catalogue, <c>data/catalog.json</c> (docs/design.md §3.4). The file is embedded in
/// KbSr.Lib at build time, so the catalogue is available from any host without the repository.
/// </summary>
public static class DatasetCatalog
{
    public const string ResourceName = "KbSr.Data.catalog.json";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly Lazy<IReadOnlyList<DatasetInfo>> Embedded = new(LoadEmbedded);

    /// <summary>The catalogue in <paramref name="path"/>, or the embedded one when null.</summary>
    public static IReadOnlyList<DatasetInfo> Load(string? path = null)
    {
        if (path is null) return Embedded.Value;
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset catalogue not found: {path}", path);
        using var stream = File.OpenRead(path);
        return Parse(stream, path);
    }

    /// <summary>The entry named <paramref name="name"/> (case-insensitive); throws listing the known names.</summary>
    public static DatasetInfo Find(string name) => Find(name, Load());

    public static DatasetInfo Find(string name, IReadOnlyList<DatasetInfo> catalog)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new KeyNotFoundException(
                $"dataset '{name}' is not in the catalogue (known: {string.Join(", ", catalog.Select(d => d.Name))})");
    }

    private static IReadOnlyList<DatasetInfo> LoadEmbedded()
    {
        using var stream = typeof(DatasetCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from KbSr.Lib (build problem)");
        return Parse(stream, "embedded " + ResourceName);
    }

    private static List<DatasetInfo> Parse(Stream stream, string origin)
    {
        CatalogFile? file;
        try
        {
            file = JsonSerializer.Deserialize<CatalogFile>(stream, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: not a valid dataset catalogue ({e.Message})", e);
        }
        if (file?.Datasets is not { Count: > 0 } datasets)
            throw new InvalidDataException($"{origin}: expected {{ \"datasets\": [ ... ] }} with at least one entry");
        foreach (var d in datasets)
        {
            if (string.IsNullOrWhiteSpace(d.Name) || d.Name.IndexOfAny(['/', '\\']) >= 0 || d.Name.StartsWith('.'))
                throw new InvalidDataException($"{origin}: dataset name '{d.Name}' must be a plain folder name");
            if (string.IsNullOrWhiteSpace(d.Description))
                throw new InvalidDataException($"{origin}: dataset {d.Name} has no description");
            if (d.Files <= 0)
                throw new InvalidDataException($"{origin}: dataset {d.Name} has files = {d.Files}; expected a positive count");
            if (d.Sha256 is { } sha && (sha.Length != 64 || !sha.All(Uri.IsHexDigit)))
                throw new InvalidDataException($"{origin}: dataset {d.Name} has sha256 '{sha}'; expected 64 hex digits or null");
        }
        var duplicate = datasets.GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidDataException($"{origin}: dataset {duplicate.Key} is listed twice");
        return datasets;
    }

    private sealed record CatalogFile(
        [property: JsonPropertyName("$comment")] string? Comment,
        List<DatasetInfo> Datasets);
}
