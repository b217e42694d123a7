using KbSr.Model;
using KbSr.Model.Baselines;
using KbSr.Runtime;
using static TorchSharp.torch;

namespace KbSr.Tests.Model.Baselines;

/// <summary>The five Table-1 networks against their published layer lists: parameter counts computed by hand (the
/// arithmetic is written out below, layer by layer, from the papers and IKC's released code), output shapes, and the
/// properties that make them what they are (a non-blind network reads its kernel code; IKC iterates and corrects).</summary>
public sealed class BaselineArchitectureTests
{
    // A conv's parameters: cin·cout·k² weights + cout biases; a linear layer's: cin·cout + cout.
    private static long Conv(long cin, long cout, long k) => cin * cout * k * k + cout;
    private static long Linear(long cin, long cout) => cin * cout + cout;

    // SFT layer (IKC's SFT_Layer = the project's SftLayer): two branches of conv3 (C + t → hidden), conv3 (hidden → C).
    private static long Sft(long c, long t, long hidden) => 2 * (Conv(c + t, hidden, 3) + Conv(hidden, c, 3));

    // Pixel-shuffle upsampler: ×2 one stage, ×4 two stages of conv3 C → 4C; ×3 one stage of conv3 C → 9C; plus one
    // PReLU slope per stage when the activation is PReLU (SRResNet), none for LeakyReLU (SFTMD).
    private static long Tail(long c, int scale, bool prelu) => scale switch
    {
        2 => Conv(c, 4 * c, 3) + (prelu ? 1 : 0),
        3 => Conv(c, 9 * c, 3) + (prelu ? 1 : 0),
        4 => 2 * (Conv(c, 4 * c, 3) + (prelu ? 1 : 0)),
        _ => throw new ArgumentOutOfRangeException(nameof(scale)),
    };

    /// <summary>SRCNN 9-1-5 (n1 = 64, n2 = 32) on RGB with t = 10 code maps appended to the input; scale-independent.</summary>
    private static long SrcnnCabPaper(int scale) =>
        Conv(3 + 10, 64, 9)   // 9×9 feature extraction: 13·64·81 + 64 = 67 456
        + Conv(64, 32, 1)     // 1×1 non-linear mapping: 64·32 + 32 = 2 080
        + Conv(32, 3, 5);     // 5×5 reconstruction: 32·3·25 + 3 = 2 403            → 71 939 at every scale

    /// <summary>SRMD-NF: 12 conv layers of 128 channels, t = 15, the last conv to 3·s² channels before the pixel shuffle.</summary>
    private static long SrmdNfPaper(int scale) =>
        Conv(3 + 15, 128, 3)            // first layer: 18·128·9 + 128 = 20 864
        + 10 * Conv(128, 128, 3)        // ten middle layers: 10·(147 456 + 128) = 1 475 840
        + Conv(128, 3 * scale * scale, 3); // last layer: ×4: 128·48·9 + 48 = 55 344    → 1 552 048 at ×4

    /// <summary>SRResNet without BN, 16 blocks of 64 channels, t = 10 code maps appended to the LR input.</summary>
    private static long SrResNetConcatPaper(int scale) =>
        Conv(3 + 10, 64, 9) + 1         // 9×9 head + PReLU: 67 456 + 1
        + 16 * (2 * Conv(64, 64, 3) + 1) // 16 residual blocks, conv3-PReLU-conv3: 16·(2·36 928 + 1) = 1 181 712
        + Conv(64, 64, 3)               // conv after the blocks (long skip): 36 928
        + Tail(64, scale, prelu: true)  // ×4: 2·(147 712 + 1) = 295 426
        + Conv(64, 3, 9);               // 9×9 output: 64·3·81 + 3 = 15 555           → 1 597 078 at ×4

    /// <summary>SFTMD as in IKC's code (nf = 64, 16 SFT residual blocks, code length 10, SFT hidden 32). IKC's
    /// module also builds an unused `sft_branch` of 16 more blocks; its forward never calls it, so it is not built here.</summary>
    private static long SftmdPaper(int scale) =>
        Conv(3, 64, 3) + 2 * Conv(64, 64, 3)               // conv1, conv2, conv3: 1 792 + 2·36 928 = 75 648
        + 16 * (2 * Sft(64, 10, 32) + 2 * Conv(64, 64, 3))  // blocks: SFT = 2·(21 344 + 18 496) = 79 680; 16·(2·79 680 + 73 856) = 3 731 456
        + Sft(64, 10, 32) + Conv(64, 64, 3)                // final SFT + conv_mid: 79 680 + 36 928
        + Tail(64, scale, prelu: false)                    // ×4: 2·147 712 = 295 424
        + Conv(64, 3, 9);                                  // 9×9 output: 15 555          → 4 234 691 at ×4

    /// <summary>IKC = Predictor + SFTMD + Corrector (width 64, code length 10).</summary>
    private static long IkcPaper(int scale) =>
        Conv(3, 64, 5) + 4 * Conv(64, 64, 5) + Conv(64, 10, 5)       // Predictor: 4 864 + 4·102 464 + 16 010 = 430 730
        + SftmdPaper(scale)
        + Conv(3, 64, 5) + 6 * Conv(64, 64, 5)                      // Corrector convs: 4 864 + 6·102 464 = 619 648
        + Linear(10, 64) + Linear(64, 64)                           // code_dense: 704 + 4 160
        + Conv(128, 128, 1) + Conv(128, 64, 1) + Conv(64, 10, 1);   // global_dense: 16 512 + 8 256 + 650 → Corrector 649 930

    // DAN's channel attention (CALayer, reduction 16): 1×1 conv C → C/16, 1×1 conv C/16 → C. Its conditional residual
    // block (CRB_Layer) on C feature and D condition channels: conv3 C + D → C + D, conv3 C + D → C, attention.
    private static long Attention(long c) => Conv(c, c / 16, 1) + Conv(c / 16, c, 1);
    private static long Crb(long c, long d) => Conv(c + d, c + d, 3) + Conv(c + d, c, 3) + Attention(c);

    /// <summary>DANv1 as in its code's ×4 setting: Restorer nf = 64, 40 blocks, code length 10; Estimator nf = 64 (two
    /// branches of 32), 5 blocks. The upsampler has no activations.</summary>
    private static long DanPaper(int scale) =>
        Conv(3, 64, 3)                      // Restorer head: 1 792
        + 40 * Crb(64, 10)                  // CRB(64, 10) = 49 358 + 42 688 + (260 + 320) = 92 626; ×40 = 3 705 040
        + Conv(64, 64, 3)                   // fusion: 36 928
        + Tail(64, scale, prelu: false)     // ×4: 295 424
        + Conv(64, 3, 3)                    // to RGB: 1 731                               → Restorer 4 040 915 at ×4
        + Conv(3, 32, 1) + Conv(3, 32, 9)   // Estimator heads: 128 (LR, 1×1) + 7 808 (SR, 9×9 stride s)
        + 5 * Crb(32, 32)                   // CRB(32, 32) = 36 928 + 18 464 + (66 + 96) = 55 554; ×5 = 277 770
        + Conv(32, 10, 3);                  // to the code: 2 890                           → Estimator 288 596

    public static TheoryData<string, int, long> PaperCounts()
    {
        var data = new TheoryData<string, int, long>();
        foreach (int s in new[] { 2, 3, 4 })
        {
            data.Add(SrcnnCab.Name, s, SrcnnCabPaper(s));
            data.Add(SrmdNf.Name, s, SrmdNfPaper(s));
            data.Add(SrResNetConcat.Name, s, SrResNetConcatPaper(s));
            data.Add(Sftmd.Name, s, SftmdPaper(s));
            data.Add(Ikc.Name, s, IkcPaper(s));
            data.Add(Dan.Name, s, DanPaper(s));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PaperCounts))]
    public void ParameterCount_OfThePaperPreset_MatchesTheHandCountFromThePublishedLayers(string model, int scale, long expected)
    {
        using var network = ModelRegistry.Build(ModelRegistry.Preset($"{model}-paper") with { Scale = scale });
        Assert.Equal(expected, network.ParameterCount());
    }

    [Fact]
    public void HandCounts_AtFourTimes_AreTheTotalsWrittenInTheComments()
    {
        // The sums spelled out above, so that a slip in the helpers cannot hide in both sides of the theory.
        Assert.Equal(71_939, SrcnnCabPaper(4));
        Assert.Equal(1_552_048, SrmdNfPaper(4));
        Assert.Equal(1_597_078, SrResNetConcatPaper(4));
        Assert.Equal(4_234_691, SftmdPaper(4));
        Assert.Equal(430_730 + 4_234_691 + 649_930, IkcPaper(4));
        Assert.Equal(4_040_915 + 288_596, DanPaper(4));   // DAN's paper: 4.33 M
    }

    public static TheoryData<string, int> NonBlindAtScales()
    {
        var data = new TheoryData<string, int>();
        foreach (string m in new[] { SrcnnCab.Name, SrmdNf.Name, SrResNetConcat.Name, Sftmd.Name })
            foreach (int s in new[] { 2, 3, 4 }) data.Add(m, s);
        return data;
    }

    [Theory]
    [MemberData(nameof(NonBlindAtScales))]
    public void NonBlind_GivesSrOfSTimesTheLrSize_AndAWrongKernelCodeChangesIt(string model, int scale)
    {
        var config = ModelRegistry.Preset($"{model}-test") with { Scale = scale };
        TorchRuntime.Seed(11);
        using var network = (INonBlindNetwork)ModelRegistry.Build(config);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var lr = rand(2, 3, 7, 5);
        var code = randn(2, config.Loss.PcaDims);
        var sr = network.call(lr, code);
        Assert.Equal(new long[] { 2, 3, 7 * scale, 5 * scale }, sr.shape);
        Assert.True(sr.isfinite().all().item<bool>());
        var wrong = network.call(lr, code + 1);
        Assert.True((sr - wrong).abs().max().item<float>() > 1e-4, "a different kernel code must change the SR image");
        // And the code is per sample: changing sample 1's code leaves sample 0 alone.
        var other = code.clone();
        other[1] += 1;
        var partly = network.call(lr, other);
        ModelFixtures.Close(partly[0], sr[0], 1e-6, "sample 0");
        Assert.True((partly[1] - sr[1]).abs().max().item<float>() > 1e-4);
    }

    [Fact]
    public void NonBlind_RejectsACodeOfTheWrongLength_NamingTheExpectedShape()
    {
        using var network = (INonBlindNetwork)ModelRegistry.Build(ModelRegistry.Preset("sftmd-test"));
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => network.call(rand(1, 3, 6, 6), rand(1, 3)));
        Assert.Contains("[1, 5]", e.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Ikc_RunsItsIterations_AndTheCorrectorChangesTheCode(int scale)
    {
        var config = ModelRegistry.Preset("ikc-test") with { Scale = scale };
        // A Corrector with random last weights, so that every correction changes the code (the presets start it as the identity).
        config = config with { Baseline = config.Baseline! with { CorrectorIdentityStart = false } };
        TorchRuntime.Seed(12);
        using var ikc = (Ikc)ModelRegistry.Build(config);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var lr = rand(2, 3, 8, 6);
        using var output = ikc.Run(lr);
        int n = config.Baseline!.Iterations;
        Assert.Equal(n, output.Sr.Count);
        Assert.Equal(n, output.Codes.Count);   // the Predictor's and N − 1 corrections
        foreach (var sr in output.Sr) Assert.Equal(new long[] { 2, 3, 8 * scale, 6 * scale }, sr.shape);
        foreach (var code in output.Codes) Assert.Equal(new long[] { 2, config.Loss.PcaDims }, code.shape);
        for (int i = 1; i < n; i++)
            Assert.True((output.Codes[i] - output.Codes[i - 1]).abs().max().item<float>() > 1e-6, $"correction {i} left the code unchanged");
        // Iteration i's SR is SFTMD given code i − 1; the first is SFTMD given the Predictor's code.
        ModelFixtures.Close(output.Sr[0], ikc.Sftmd.call(lr, ikc.Predictor.call(lr)), 1e-5, "SR 1");
        // The Corrector reads SFTMD's image clamped to [0, 1] (the preset's clampSr), as IKC's code does.
        Assert.True(config.Baseline!.ClampSr);
        ModelFixtures.Close(output.Codes[1], ikc.Corrector.call(output.Sr[0].clamp(0, 1), output.Codes[0]), 1e-5, "code 1");
        ModelFixtures.Close(ikc.call(lr), output.FinalSr, 1e-5, "forward = last iteration");
    }

    [Fact]
    public void PixelShuffleTail_UsesStagesOfTwo_OrOneOfThree()
    {
        Assert.Equal([2], PixelShuffleTail.Factors(2));
        Assert.Equal([3], PixelShuffleTail.Factors(3));
        Assert.Equal([2, 2], PixelShuffleTail.Factors(4));
        Assert.Equal([2, 2, 2], PixelShuffleTail.Factors(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelShuffleTail.Factors(5));
    }

    [Fact]
    public void KernelCodeMaps_StretchEveryCodeValueOverTheImage()
    {
        using var scope = NewDisposeScope();
        var code = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).view(2, 3);
        var maps = KernelCodeMaps.Stretch(code, 4, 5);
        Assert.Equal(new long[] { 2, 3, 4, 5 }, maps.shape);
        Assert.Equal(6f, maps[1, 2, 3, 4].item<float>());
        Assert.Equal(1f, maps[0, 0, 0, 0].item<float>());
        var joined = KernelCodeMaps.Concat(zeros(2, 3, 4, 5), code);
        Assert.Equal(new long[] { 2, 6, 4, 5 }, joined.shape);
        Assert.Equal(4f, joined[1, 3, 2, 2].item<float>());
    }

    [Fact]
    public void Config_RoundTripsThroughJson_AndKbSrConfigsStayAsTheyWere()
    {
        var config = ModelRegistry.Preset("ikc-small");
        var back = KbSrConfig.FromJson(config.ToJson());
        Assert.Equal(config.Baseline, back.Baseline);
        Assert.Empty(config.ArchitectureDifferences(back));
        Assert.DoesNotContain("baseline", KbSrConfig.Small.ToJson());      // KB-SR configs (and hashes) unchanged
        Assert.Contains("Baseline", string.Join(" ", config.ArchitectureDifferences(ModelRegistry.Preset("ikc-paper"))));
    }

    [Fact]
    public void Presets_AreFoundByName_AndUnknownOnesAreListed()
    {
        Assert.Equal(KbSrConfig.Small, ModelRegistry.Preset("Small"));
        Assert.Equal(KbSrConfig.Small, ModelRegistry.Preset("kbsr-small"));
        Assert.Equal(SrmdNf.Name, ModelRegistry.Preset("SRMD-NF-Paper").Model);
        Assert.Equal(15, ModelRegistry.Preset("srmd-nf-paper").Loss.PcaDims);     // SRMD's t = 15
        Assert.Equal(10, ModelRegistry.Preset("ikc-paper").Loss.PcaDims);         // IKC's code length 10
        Assert.Equal(7, ModelRegistry.Preset("ikc-paper").Baseline!.Iterations);  // IKC's 7 iterations
        var e = Assert.Throws<ArgumentException>(() => ModelRegistry.Preset("sftmd-huge"));
        Assert.Contains("sftmd-small", e.Message);
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create(ModelRegistry.Preset("sftmd-test")));
    }
}
