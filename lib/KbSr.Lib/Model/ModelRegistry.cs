using KbSr.Model.Baselines;

namespace KbSr.Model;

/// <summary>How a network's SR output is compared with the HR image when it trains (KB-SR has its own eq. 3).</summary>
public enum PixelLoss { L1, L2 }

/// <summary>One network of the registry: its name, what it is, how to build it from a config, whether it estimates the
/// kernel itself (blind), the pixel loss its paper trains with, and its presets (paper size, CPU size, test size).</summary>
public sealed record ModelEntry(string Name, string Title, Func<KbSrConfig, ISrNetwork> Create, bool Blind, PixelLoss Loss,
                                IReadOnlyDictionary<string, KbSrConfig> Presets);

/// <summary>Networks created by name from one explicit table (docs/design.md §5), so that a checkpoint's config
/// rebuilds its network and `train`, `eval` and `model summary` reach every network the same way. Adding a network =
/// one entry here. Presets are named "Paper", "Small", "Test" (KB-SR) and "MODEL-paper", "MODEL-small", "MODEL-test".</summary>
public static class ModelRegistry
{
    public const string KbSr = "kbsr";

    private static readonly ModelEntry[] Entries =
    [
        new(KbSr, "KB-SR (kernelized back-projection)", config => new KbSrNet(config), Blind: true, PixelLoss.L2,
            Presets(KbSrConfig.Paper, KbSrConfig.Small, KbSrConfig.Test)),
        Baseline(SrcnnCab.Name, "SRCNN-CAB (Riegler et al. 2015)", config => new SrcnnCab(config), blind: false, PixelLoss.L2,
            codeLength: 10, paper: new() { Channels = 64, Hidden = 32 }, small: new() { Channels = 48, Hidden = 32 },
            test: new() { Channels = 4, Hidden = 3 }),
        Baseline(SrmdNf.Name, "SRMD-NF (Zhang et al. 2018)", config => new SrmdNf(config), blind: false, PixelLoss.L2,
            codeLength: 15, paper: new() { Channels = 128, Blocks = 12 }, small: new() { Channels = 96, Blocks = 12 },
            test: new() { Channels = 4, Blocks = 3 }),
        Baseline(SrResNetConcat.Name, "SRResNet, kernel code concatenated (IKC §5)", config => new SrResNetConcat(config), blind: false, PixelLoss.L1,
            codeLength: 10, paper: new() { Channels = 64, Blocks = 16 }, small: new() { Channels = 40, Blocks = 12 },
            test: new() { Channels = 4, Blocks = 2 }),
        Baseline(Sftmd.Name, "SFTMD = SRResNet with SFT (Gu et al. 2019)", config => new Sftmd(config), blind: false, PixelLoss.L1,
            codeLength: 10, paper: new() { Channels = 64, Blocks = 16, Hidden = 32 }, small: new() { Channels = 32, Blocks = 7, Hidden = 16 },
            test: new() { Channels = 4, Blocks = 2, Hidden = 3 }),
        Baseline(Ikc.Name, "IKC (Gu et al. 2019)", config => new Ikc(config), blind: true, PixelLoss.L1,
            codeLength: 10, paper: IkcFixes(new() { Channels = 64, Blocks = 16, Hidden = 32, EstimatorWidth = 64, Iterations = 7 }),
            small: IkcFixes(new() { Channels = 32, Blocks = 7, Hidden = 16, EstimatorWidth = 16, Iterations = 7 }),
            test: IkcFixes(new() { Channels = 4, Blocks = 2, Hidden = 3, EstimatorWidth = 4, Iterations = 3 })),
        // DAN: the paper's ×4 setting (DANv1 code: nf 64, 40 blocks, Estimator 64 wide with 5 blocks, 4 iterations); the
        // small preset costs about what KB-SR Small costs per LR pixel (kbsr model summary). Its Estimator sees centred
        // images, as IKC's kernel networks do here (BaselineConfig.CentredInput).
        Baseline(Dan.Name, "DAN (Luo et al. 2020)", config => new Dan(config), blind: true, PixelLoss.L1,
            codeLength: 10, paper: new() { Channels = 64, Blocks = 40, EstimatorWidth = 64, EstimatorBlocks = 5, Iterations = 4, CentredInput = true },
            small: new() { Channels = 16, Blocks = 12, EstimatorWidth = 16, EstimatorBlocks = 5, Iterations = 4, CentredInput = true },
            test: new() { Channels = 4, Blocks = 2, EstimatorWidth = 4, EstimatorBlocks = 1, Iterations = 2, CentredInput = true }),
    ];

    /// <summary>IKC's presets with the options that make its kernel networks learn here (BaselineConfig: centred input,
    /// reflection padding, a linear Predictor output, SR clamped before the Corrector, a Corrector that starts as the
    /// identity); the first IKC Small was trained without them and keeps its own config in its weights.</summary>
    private static BaselineConfig IkcFixes(BaselineConfig b) =>
        b with { CentredInput = true, ReflectPadding = true, PredictorLinearOutput = true, ClampSr = true, CorrectorIdentityStart = true };

    private static readonly IReadOnlyDictionary<string, ModelEntry> Table =
        Entries.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    public static IEnumerable<string> Names => Entries.Select(e => e.Name);

    public static IEnumerable<ModelEntry> All => Entries;

    /// <summary>Every preset name <see cref="Preset"/> accepts.</summary>
    public static IEnumerable<string> PresetNames =>
        Entries.SelectMany(e => e.Presets.Keys.Select(p => e.Name == KbSr ? p : $"{e.Name}-{p.ToLowerInvariant()}"));

    /// <summary>The entry of <paramref name="model"/> (a registry name, case-insensitive).</summary>
    public static ModelEntry Entry(string model) =>
        Table.TryGetValue(model, out var entry)
            ? entry
            : throw new ArgumentException($"unknown model '{model}': expected one of {string.Join(", ", Names)}", nameof(model));

    /// <summary>The network named by <c>config.Model</c>, freshly initialised (any registered network).</summary>
    public static ISrNetwork Build(KbSrConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Entry(config.Model).Create(config);
    }

    /// <summary>A KB-SR network from <paramref name="config"/>; fails naming <see cref="Build"/> for the other networks.</summary>
    public static KbSrNet Create(KbSrConfig config)
    {
        var network = Build(config);
        if (network is KbSrNet kbsr) return kbsr;
        network.Dispose();
        throw new ArgumentException($"model '{config.Model}' is not a KB-SR network; build it with ModelRegistry.Build", nameof(config));
    }

    /// <summary>A preset by name: KB-SR's Paper, Small, Test, or MODEL-paper / MODEL-small / MODEL-test (case-insensitive).</summary>
    public static KbSrConfig Preset(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string key = name.Trim();
        foreach (var entry in Entries.Where(e => e.Name != KbSr).OrderByDescending(e => e.Name.Length))
            if (key.StartsWith(entry.Name + "-", StringComparison.OrdinalIgnoreCase))
            {
                string preset = key[(entry.Name.Length + 1)..];
                return entry.Presets.FirstOrDefault(p => string.Equals(p.Key, preset, StringComparison.OrdinalIgnoreCase)).Value
                       ?? throw new ArgumentException($"unknown preset '{name}': {entry.Name} has {string.Join(", ", entry.Presets.Keys.Select(p => $"{entry.Name}-{p.ToLowerInvariant()}"))}", nameof(name));
            }
        if (key.StartsWith(KbSr + "-", StringComparison.OrdinalIgnoreCase)) key = key[(KbSr.Length + 1)..];
        try { return KbSrConfig.Preset(key); }
        catch (ArgumentException)
        {
            throw new ArgumentException($"unknown preset '{name}': expected one of {string.Join(", ", PresetNames)}", nameof(name));
        }
    }

    private static Dictionary<string, KbSrConfig> Presets(KbSrConfig paper, KbSrConfig small, KbSrConfig test) =>
        new() { ["Paper"] = paper, ["Small"] = small, ["Test"] = test };

    // Scale, kernel size (21) and the training distribution are KB-SR's, so every network sees the same data; the
    // code length is the PCA's dimension (IKC: 10, SRMD: 15). Test presets: ×2, k = 5, 5 PCA dims, a few channels.
    private static ModelEntry Baseline(string name, string title, Func<KbSrConfig, ISrNetwork> create, bool blind, PixelLoss loss,
                                       int codeLength, BaselineConfig paper, BaselineConfig small, BaselineConfig test)
    {
        KbSrConfig Make(KbSrConfig basis, BaselineConfig baseline, int dims) =>
            basis with { Model = name, Baseline = baseline, Loss = basis.Loss with { PcaDims = dims } };
        return new(name, title, create, blind, loss, Presets(Make(KbSrConfig.Paper, paper, codeLength),
            Make(KbSrConfig.Paper, small, codeLength), Make(KbSrConfig.Test, test, KbSrConfig.Test.Loss.PcaDims)));
    }
}
