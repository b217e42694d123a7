using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// IKC, Iterative Kernel Correction (Gu, Lu, Zuo and Dong, CVPR 2019, Fig. 3): blind SR by alternating an SR
/// network that is given a kernel code (<see cref="Baselines.Sftmd"/>) with a <see cref="IkcCorrector"/> that refines
/// the code from the SR result, starting from the <see cref="IkcPredictor"/>'s code: h₀ = P(LR); SRᵢ = F(LR, hᵢ₋₁);
/// hᵢ = C(SRᵢ, hᵢ₋₁). N = <c>baseline.iterations</c> (7 in IKC's code, at test time and in Corrector training).
/// The code lives in the PCA space stored with the weights (t = <c>Loss.PcaDims</c>; IKC: 10). Trained in IKC's two
/// phases (<see cref="Training.TrainingPhase"/>): SFTMD with the true codes, then Predictor and Corrector with SFTMD
/// fixed. LR [B, 3, h, w] → SR [B, 3, s·h, s·w].
/// </summary>
public sealed class Ikc : nn.Module<Tensor, Tensor>, ISrNetwork
{
    public const string Name = "ikc";

    private readonly IkcPredictor predictor;
    private readonly Sftmd sftmd;
    private readonly IkcCorrector corrector;

    public Ikc(KbSrConfig config) : base(nameof(Ikc))
    {
        var b = BaselineChecks.Require(config, Name);
        Config = config;
        int t = config.Loss.PcaDims;
        predictor = new IkcPredictor(config.ImageChannels, b.EstimatorWidth, t, b.Slope, b.ReflectPadding, b.PredictorLinearOutput, b.CentredInput);
        sftmd = new Sftmd(config with { Model = Sftmd.Name });
        corrector = new IkcCorrector(config.ImageChannels, b.EstimatorWidth, t, b.Slope, b.ReflectPadding, b.CentredInput, b.CorrectorIdentityStart);
        RegisterComponents();
    }

    public KbSrConfig Config { get; }

    /// <summary>One correction: the Corrector reads the SR image (clamped to [0, 1] when <see cref="BaselineConfig.ClampSr"/>)
    /// and the code it was made with.</summary>
    public Tensor Correct(Tensor sr, Tensor code) => corrector.call(Config.Baseline!.ClampSr ? sr.clamp(0, 1) : sr, code);

    public IkcPredictor Predictor => predictor;
    public Sftmd Sftmd => sftmd;
    public IkcCorrector Corrector => corrector;

    /// <summary>Lean inference: the final SR image only.</summary>
    public override Tensor forward(Tensor lr)
    {
        using var scope = NewDisposeScope();
        using var output = Run(lr);
        return output.FinalSr.clone().MoveToOuterDisposeScope();
    }

    /// <summary>All iterations (see <see cref="CodeIterations"/>); <paramref name="iterations"/> defaults to the config's N.
    /// A final correction after the last SR image would feed nothing, so the Corrector runs N − 1 times.</summary>
    public CodeIterations Run(Tensor lr, int? iterations = null)
    {
        int n = iterations ?? Config.Baseline!.Iterations;
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(iterations), n, "expected ≥ 1");
        using var scope = NewDisposeScope();
        var codes = new List<Tensor> { predictor.call(lr) };
        var srs = new List<Tensor>();
        for (int i = 1; i <= n; i++)
        {
            srs.Add(sftmd.call(lr, codes[^1]));
            if (i < n) codes.Add(Correct(srs[^1], codes[^1]));
        }
        var output = new CodeIterations(srs, codes);
        foreach (var t in srs.Concat(codes)) t.MoveToOuterDisposeScope();
        return output;
    }
}
