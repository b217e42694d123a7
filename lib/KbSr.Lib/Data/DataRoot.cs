namespace KbSr.Data;

/// <summary>
/// Where datasets live (docs/design.md §3.4): an explicit root (e.g. <c>--data</c>) wins, then the
/// <c>KBSR_DATA</c> environment variable, then <c>data/datasets/</c> in the repository (found by
/// walking up from the program's folder and the working directory to <c>KbSr.Lib.sln</c>).
/// Each dataset is a folder of HR images named after it: <c>&lt;root&gt;/Set5</c>.
/// </summary>
public static class DataRoot
{
    public const string Variable = "KBSR_DATA";
    public const string SolutionFile = "KbSr.Lib.sln";
    public const string RepoFolder = "data/datasets";

    /// <summary>The existing data root; throws, listing every place tried, when there is none.</summary>
    public static string Resolve(string? explicitRoot = null) =>
        Resolve(explicitRoot, Environment.GetEnvironmentVariable(Variable), DefaultSearchStarts());

    /// <summary>
    /// <see cref="Resolve(string?)"/> with the environment value and the folders to search up from
    /// given explicitly (hosts that sandbox their environment; tests).
    /// </summary>
    public static string Resolve(string? explicitRoot, string? environmentValue, IEnumerable<string> searchFrom)
    {
        var (path, origin, tried) = Choose(explicitRoot, environmentValue, searchFrom);
        if (path is not null && Directory.Exists(path)) return path;
        if (path is not null)
            throw new DirectoryNotFoundException($"data root {path} (from {origin}) does not exist");
        throw new DirectoryNotFoundException(
            "no data root found. Tried: " + string.Join("; ", tried) +
            $". Pass --data ROOT, set {Variable}, or run `kbsr data get NAME` to create {RepoFolder} in the repository.");
    }

    /// <summary>
    /// The root to download into, by the same precedence, without requiring it to exist yet (the
    /// repository's <c>data/datasets</c> is the fallback). Throws only when no repository is found either.
    /// </summary>
    public static string ResolveForWriting(string? explicitRoot = null)
    {
        var (path, _, tried) = Choose(explicitRoot, Environment.GetEnvironmentVariable(Variable), DefaultSearchStarts());
        if (path is not null) return path;
        string? repo = FindRepository(DefaultSearchStarts());
        if (repo is not null) return Path.Combine(repo, RepoFolder);
        throw new DirectoryNotFoundException("no data root to download into. Tried: " + string.Join("; ", tried) +
                                             $". Pass --data ROOT or set {Variable}.");
    }

    /// <summary>The folder of one dataset, <c>&lt;root&gt;/<paramref name="setName"/></c>; throws naming the set, the root and the sets there.</summary>
    public static string SetFolder(string setName, string? explicitRoot = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(setName);
        string root = Resolve(explicitRoot);
        string folder = Path.Combine(root, setName);
        if (Directory.Exists(folder)) return folder;
        var available = Directory.EnumerateDirectories(root)
            .Select(Path.GetFileName)
            .Where(n => n is not null && !n.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
        throw new DirectoryNotFoundException(
            $"dataset '{setName}' not found under data root {root} (available: " +
            (available.Count == 0 ? "none" : string.Join(", ", available)) + $"); run `kbsr data get {setName}`");
    }

    /// <summary>The repository root (holding <c>KbSr.Lib.sln</c>) above one of <paramref name="searchFrom"/>, or null.</summary>
    public static string? FindRepository(IEnumerable<string> searchFrom)
    {
        foreach (string start in searchFrom)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile))) return dir.FullName;
        return null;
    }

    private static string[] DefaultSearchStarts() => [AppContext.BaseDirectory, Directory.GetCurrentDirectory()];

    // The first candidate that is set (explicit, environment) or exists (repository); plus what was tried.
    private static (string? Path, string Origin, List<string> Tried) Choose(
        string? explicitRoot, string? environmentValue, IEnumerable<string> searchFrom)
    {
        var tried = new List<string>();
        if (!string.IsNullOrWhiteSpace(explicitRoot))
            return (Path.GetFullPath(explicitRoot), "the explicit argument", tried);
        tried.Add("no explicit root");
        if (!string.IsNullOrWhiteSpace(environmentValue))
            return (Path.GetFullPath(environmentValue), $"${Variable}", tried);
        tried.Add($"{Variable} not set");
        var starts = searchFrom.ToList();
        string? repo = FindRepository(starts);
        if (repo is null)
        {
            tried.Add($"no {SolutionFile} above {string.Join(" or ", starts)}");
            return (null, "", tried);
        }
        string candidate = Path.Combine(repo, RepoFolder);
        if (Directory.Exists(candidate)) return (candidate, "the repository", tried);
        tried.Add($"{candidate} does not exist");
        return (null, "", tried);
    }
}
