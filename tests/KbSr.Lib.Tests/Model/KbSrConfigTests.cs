using KbSr.Model;

namespace KbSr.Tests.Model;

public sealed class KbSrConfigTests
{
    [Fact]
    public void Paper_HasThePapersHyperparameters()
    {
        var p = KbSrConfig.Paper;
        Assert.Equal((10, 64, 256, 4, 21, 5), (p.Stages, p.Channels, p.InitialChannels, p.Scale, p.KernelSize, p.MidStage));
        Assert.Equal((32, 0.2, true, false, false, false), (p.SftHidden, p.SftSlope, p.DifferenceInSft, p.DifferenceToEstimator, p.KernelSft, p.GlobalResidual));
        Assert.Equal(0, p.Loss.KernelFull);
        Assert.Equal(21, p.Loss.PcaDims);
    }

    [Fact]
    public void Json_RoundTrip_GivesAnEqualConfig()
    {
        var config = KbSrConfig.Small with { KernelSft = true, Loss = new KbSrLossWeights { KernelFull = 0.5, KernelEveryStage = true } };
        var back = KbSrConfig.FromJson(config.ToJson());
        Assert.Equal(config, back);
        Assert.Equal(config.Hash(), back.Hash());
        Assert.Contains("\"kernelSft\": true", config.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_IsStableAndChangesWithAnyField()
    {
        Assert.Equal(KbSrConfig.Paper.Hash(), new KbSrConfig().Hash());
        Assert.Matches("^[0-9a-f]{12}$", KbSrConfig.Paper.Hash());
        Assert.NotEqual(KbSrConfig.Paper.Hash(), (KbSrConfig.Paper with { SftSlope = 0.1 }).Hash());
        Assert.NotEqual(KbSrConfig.Paper.Hash(), (KbSrConfig.Paper with { Loss = new KbSrLossWeights { Sr = 2 } }).Hash());
    }

    [Fact]
    public void SrEveryStage_IsWrittenOnlyWhenOn_SoEarlierConfigsKeepTheirJsonAndHash()
    {
        Assert.DoesNotContain("srEveryStage", KbSrConfig.Small.ToJson());
        var on = KbSrConfig.Small with { Loss = KbSrConfig.Small.Loss with { SrEveryStage = 1 } };
        Assert.Contains("\"srEveryStage\": 1", on.ToJson());
        Assert.Equal(1, KbSrConfig.FromJson(on.ToJson()).Loss.SrEveryStage);
        Assert.NotEqual(KbSrConfig.Small.Hash(), on.Hash());
    }

    [Fact]
    public void FromJson_UnknownField_Throws()
    {
        string json = KbSrConfig.Test.ToJson().Replace("\"stages\"", "\"stagez\"", StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => KbSrConfig.FromJson(json));
    }

    [Fact]
    public void EnsureCompatible_DifferentArchitecture_NamesEveryDifferingField()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            KbSrConfig.Paper.EnsureCompatible(KbSrConfig.Paper with { Channels = 32, KernelSft = true }));
        Assert.Contains("Channels (64 vs 32)", e.Message, StringComparison.Ordinal);
        Assert.Contains("KernelSft", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Stages", e.Message, StringComparison.Ordinal);
        // Loss weights are training settings, not architecture.
        KbSrConfig.Paper.EnsureCompatible(KbSrConfig.Paper with { Loss = new KbSrLossWeights { Sr = 3 } });
    }

    /// <summary>Crafted configs that passed every per-field range and then asked for gigabytes (5.2 GB and 9 GB in
    /// `kbsr sr`): refused by their cost per LR pixel, counted from the layers; every preset stays accepted.</summary>
    [Fact]
    public void Validate_RefusesANetworkFarCostlierThanThePapers_AndAcceptsEveryPreset()
    {
        var huge = KbSrConfig.Paper with { Stages = 100, Channels = 80, SftHidden = 80, EstimatorWidth = 80, InitialChannels = 4096, Scale = 8 };
        var e = Assert.Throws<ArgumentException>(() => huge.Validate());
        Assert.Contains("the paper's network", e.Message);
        Assert.Throws<ArgumentException>(() => (KbSrConfig.Paper with { Stages = 100, Channels = 80 }).Validate());
        foreach (string preset in ModelRegistry.PresetNames) ModelRegistry.Preset(preset).Validate();
        (KbSrConfig.Paper with { Stages = 20 }).Validate();   // twice the paper's depth is fine

        var baseline = ModelRegistry.Preset("sftmd-small");
        var wide = baseline with { Baseline = baseline.Baseline! with { Channels = 1024, Blocks = 256 } };
        Assert.Contains("16× the largest published baseline", Assert.Throws<ArgumentException>(() => { wide.Validate(); }).Message);
        var huge2 = baseline with { Baseline = baseline.Baseline! with { Channels = 100_000 } };
        Assert.Contains("≤ 1024", Assert.Throws<ArgumentException>(() => { huge2.Validate(); }).Message);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(1)]
    public void Validate_UnsupportedScale_Throws(int scale) =>
        Assert.Throws<ArgumentException>(() => (KbSrConfig.Test with { Scale = scale }).Validate());

    [Fact]
    public void ModelRegistry_UnknownName_ThrowsListingTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelRegistry.Create(KbSrConfig.Test with { Model = "dbpn" }));
        Assert.Contains("kbsr", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => KbSrConfig.Preset("Huge"));
        Assert.Equal(KbSrConfig.Small, KbSrConfig.Preset("small"));
    }

    [Fact]
    public void ModelComplexity_PaperProjection_MatchesHandCount()
    {
        // Up at ×4, LR 24×24: 3 layers of 64·64·8·8 MACs per LR pixel → 2·3·262144·576 FLOPs.
        var costs = ModelComplexity.Estimate(KbSrConfig.Paper, 24, 24);
        Assert.Equal(2.0 * 3 * 64 * 64 * 64 * 576, costs.Single(c => c.Block == "stages.0" && c.Part == "up").Flops);
        Assert.DoesNotContain(costs, c => c.Block == "stages.9" && c.Part == "down");
    }
}
