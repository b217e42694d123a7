namespace KbSr.Model;

/// <summary>Networks created by name from one explicit table (style.md §7), so that a checkpoint's config
/// rebuilds its network. Adding a network = one line here.</summary>
public static class ModelRegistry
{
    public const string KbSr = "kbsr";

    private static readonly IReadOnlyDictionary<string, Func<KbSrConfig, KbSrNet>> Table =
        new Dictionary<string, Func<KbSrConfig, KbSrNet>>(StringComparer.OrdinalIgnoreCase)
        {
            [KbSr] = config => new KbSrNet(config),
        };

    public static IEnumerable<string> Names => Table.Keys;

    /// <summary>The network named by <c>config.Model</c>, freshly initialised.</summary>
    public static KbSrNet Create(KbSrConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Table.TryGetValue(config.Model, out var create)
            ? create(config)
            : throw new ArgumentException($"unknown model '{config.Model}': expected one of {string.Join(", ", Table.Keys)}", nameof(config));
    }
}
