using KbSr.Degradation;
using KbSr.Model;
using KbSr.Training;
using static KbSr.Tests.Model.ModelFixtures;
using static TorchSharp.torch;

namespace KbSr.Tests.Training;

public sealed class KbSrLossTests
{
    // A hand-made network output: T = 2 (mid = stage 1), SR off by +0.1, PLR_T off by −0.2, SR_mid off by +0.3,
    // PLR_mid exact, every kernel = the ground truth.
    private static KbSrOutput Output(Tensor hr, Tensor lr, Tensor kernel, Tensor? lastKernel = null) =>
        new(hr + 0.1, [hr + 0.3, hr], [kernel.clone(), lastKernel ?? kernel.clone()], [lr.clone(), lr - 0.2],
            [zeros_like(lr), zeros_like(lr)], [], kernel.clone(), MidStage: 1);

    /// <summary>HR and LR of two samples and their true kernels (σ 0.8 and 1.5, 5 × 5), for <see cref="Output"/>.</summary>
    private static (Tensor Hr, Tensor Lr, Tensor Kernel) KnownInputs() =>
        (rand(2, 3, 8, 8), rand(2, 3, 4, 4), GaussianKernel.IsotropicBatch(tensor(new[] { 0.8f, 1.5f }), 5));

    [Fact]
    public void Compute_KnownErrors_GivesHandComputedTerms()
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test;
        using var pca = Pca(config);
        var (hr, lr, kernel) = KnownInputs();
        using var output = Output(hr, lr, kernel);
        var weights = new KbSrLossWeights { Sr = 2, PseudoLr = 3, SrMid = 1, PseudoLrMid = 5, KernelPca = 7, KernelNorm = 0.5 };
        using var terms = new KbSrLoss(weights, pca).Compute(output, hr, lr, kernel);
        Assert.Equal(0.01, terms.Sr, 5);
        Assert.Equal(0.04, terms.PseudoLr, 5);
        Assert.Equal(0.09, terms.SrMid, 5);
        Assert.Equal(0.0, terms.PseudoLrMid, 6);
        Assert.Equal(0.0, terms.KernelPca, 6);
        Assert.Equal(1.0, terms.KernelNorm, 5);   // Σ|K| of a normalised kernel
        Assert.Equal(2 * 0.01 + 3 * 0.04 + 0.09 + 0.5 * 1.0, terms.TotalValue, 4);
        // What progress displays show: the total without the (constant) weighted ‖K‖₁ term.
        Assert.Equal(2 * 0.01 + 3 * 0.04 + 0.09, terms.Values()["totalLessKernelNorm"], 4);
    }

    [Fact]
    public void Compute_WrongKernel_PenalisesPcaAndFullKernelTerms()
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test;
        using var pca = Pca(config);
        var hr = rand(1, 3, 8, 8);
        var lr = rand(1, 3, 4, 4);
        var truth = GaussianKernel.IsotropicBatch(tensor(new[] { 0.8f }), 5);
        var uniform = full(1, 5, 5, 1.0f / 25);
        using var output = Output(hr, lr, truth, lastKernel: uniform);
        var loss = new KbSrLoss(new KbSrLossWeights { KernelFull = 1 }, pca);
        using var terms = loss.Compute(output, hr, lr, truth);
        Assert.Equal((uniform - truth).abs().mean().item<float>(), terms.KernelFull, 6);
        Assert.True(terms.KernelPca > 1e-3, $"PCA term {terms.KernelPca}");
        // Every-stage kernel loss: stage 1 is exact, stage 2 is not → half the last-stage value.
        using var everyStage = new KbSrLoss(new KbSrLossWeights { KernelFull = 1, KernelEveryStage = true }, pca).Compute(output, hr, lr, truth);
        Assert.Equal(terms.KernelFull / 2, everyStage.KernelFull, 6);
        Assert.Equal(terms.KernelPca / 2, everyStage.KernelPca, 6);
    }

    /// <summary>Eq. 3's kernel term is an L1 in the PCA space: a kernel off the truth by a along one principal
    /// component (the components are orthonormal) has a code off by a in that entry alone, so the term is |a| / t
    /// (an L2 would give a² / t).</summary>
    [Theory]
    [InlineData(0.5)]
    [InlineData(-0.2)]
    public void Compute_KernelOffAlongOnePrincipalComponent_GivesTheL1OfItsCode(double a)
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test;
        using var pca = Pca(config);
        var hr = rand(1, 3, 8, 8);
        var lr = rand(1, 3, 4, 4);
        var truth = GaussianKernel.IsotropicBatch(tensor(new[] { 1.1f }), 5);
        var off = truth + a * pca.Components[1].view(1, 5, 5);
        using var output = Output(hr, lr, truth, lastKernel: off);
        using var terms = new KbSrLoss(new KbSrLossWeights(), pca).Compute(output, hr, lr, truth);
        Assert.Equal(Math.Abs(a) / pca.Dims, terms.KernelPca, 5);
    }

    // §5.3's staged schedule, phase by phase. Output(): SR +0.1 (MSE 0.01), PLR_T −0.2 (0.04), SR_mid +0.3 (0.09),
    // PLR_mid exact (0); here K_T is uniform instead of the true Gaussian, so every kernel term is non-zero too.
    private static readonly KbSrLossWeights PhaseWeights = new()
        { Sr = 2, PseudoLr = 3, SrMid = 1, PseudoLrMid = 5, KernelPca = 7, KernelNorm = 0.5, KernelFull = 11 };

    [Fact]
    public void Compute_EstimatorPhase_KeepsOnlyThePseudoLrAndKernelTerms()
    {
        using var scope = NewDisposeScope();
        using var pca = Pca(KbSrConfig.Test);
        var (hr, lr, truth, uniform) = PhaseInputs();
        using var output = Output(hr, lr, truth, lastKernel: uniform);
        using var terms = new KbSrLoss(PhaseWeights, pca).Compute(output, hr, lr, truth, TrainingPhase.EstimatorWithTrueHr);
        double full = (uniform - truth).abs().mean().item<float>();
        Assert.Equal(full, terms.KernelFull, 6);
        Assert.True(terms.KernelPca > 1e-3, $"PCA term {terms.KernelPca}");
        // 3·0.04 + 5·0 + 7·PCA + 0.5·Σ|K| + 11·full — no 2·0.01 (SR) and no 1·0.09 (SR_mid)
        Assert.Equal(3 * 0.04 + 7 * terms.KernelPca + 0.5 * 1.0 + 11 * full, terms.TotalValue, 4);
        Assert.Equal(0.01, terms.Sr, 5);   // still logged, unweighted
    }

    [Fact]
    public void Compute_SrPhase_KeepsOnlyTheImageTerms()
    {
        using var scope = NewDisposeScope();
        using var pca = Pca(KbSrConfig.Test);
        var (hr, lr, truth, uniform) = PhaseInputs();
        using var output = Output(hr, lr, truth, lastKernel: uniform);
        using var terms = new KbSrLoss(PhaseWeights, pca).Compute(output, hr, lr, truth, TrainingPhase.SrWithTrueKernels);
        Assert.Equal(2 * 0.01 + 3 * 0.04 + 1 * 0.09 + 5 * 0.0, terms.TotalValue, 4);
        using var joint = new KbSrLoss(PhaseWeights, pca).Compute(output, hr, lr, truth);
        Assert.Equal(2 * 0.01 + 3 * 0.04 + 0.09 + 7 * joint.KernelPca + 0.5 + 11 * joint.KernelFull, joint.TotalValue, 4);
    }

    [Theory]
    [InlineData(TrainingPhase.EstimatorWithTrueHr)]
    [InlineData(TrainingPhase.SrWithTrueKernels)]
    [InlineData(TrainingPhase.Joint)]
    public void Backward_InEachPhase_ReachesExactlyTheParametersThatPhaseTrains(TrainingPhase phase)
    {
        // The network run as the trainer runs it in that phase (true HR, true kernels, or neither): the estimator phase
        // must leave every SR-path parameter with a zero gradient, the SR phase every estimator parameter.
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test;
        using var network = Network(config);
        using var pca = Pca(config);
        var (hr, lr, kernel) = Batch(config);
        var overrides = phase switch
        {
            TrainingPhase.EstimatorWithTrueHr => new KbSrOverrides(TrueHr: hr),
            TrainingPhase.SrWithTrueKernels => KbSrOverrides.WithKernel(kernel),
            _ => null,
        };
        using var output = network.Run(lr, overrides);
        using var terms = new KbSrLoss(config.Loss, pca).Compute(output, hr, lr, kernel, phase);
        terms.Total.backward();
        foreach (var (name, p) in network.named_parameters())
        {
            bool estimator = name.StartsWith("initial_estimator.", StringComparison.Ordinal) || name.Contains(".estimator.", StringComparison.Ordinal);
            bool trained = phase switch
            {
                TrainingPhase.EstimatorWithTrueHr => estimator,
                TrainingPhase.SrWithTrueKernels => !estimator,
                _ => true,
            };
            double gradient = p.grad is null ? 0 : p.grad.abs().sum().item<float>();
            Assert.True(trained ? gradient > 0 : gradient == 0, $"{phase}: {name} has gradient {gradient:G3}");
        }
    }

    [Fact]
    public void Compute_SrEveryStage_AddsTheMeanOverStagesOfEachSrtsError_AndOffLeavesEq3Unchanged()
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test;
        using var pca = Pca(config);
        var (hr, lr, kernel) = KnownInputs();
        using var output = Output(hr, lr, kernel);   // SR_1 = SR_mid off by +0.3, SR_2 exact
        var eq3 = new KbSrLossWeights { Sr = 2, PseudoLr = 3, SrMid = 1, PseudoLrMid = 5, KernelPca = 7, KernelNorm = 0.5 };
        using var off = new KbSrLoss(eq3, pca).Compute(output, hr, lr, kernel);
        using var on = new KbSrLoss(eq3 with { SrEveryStage = 4 }, pca).Compute(output, hr, lr, kernel);
        // Off: eq. 3 computed here from the tensors themselves, to float precision.
        double Mse(Tensor a, Tensor b) => (a - b).square().mean().item<float>();
        double expected = 2 * Mse(output.Sr, hr) + 3 * Mse(output.PseudoLr, lr) + Mse(output.SrMid, hr) + 5 * Mse(output.PseudoLrMid, lr) + 0.5 * 1.0;
        Assert.Equal(expected, off.TotalValue, 1e-6);
        Assert.Equal((0.09 + 0.0) / 2, on.SrStages, 5);
        Assert.Equal(off.TotalValue + 4 * (0.09 + 0.0) / 2, on.TotalValue, 5);
        Assert.Equal(on.SrStages, on.Values()["srStages"]);
    }

    [Fact]
    public void Compute_L1Images_GivesTheMeanAbsoluteErrorOfEachImageTerm()
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test;
        using var pca = Pca(config);
        var (hr, lr, kernel) = KnownInputs();
        using var output = Output(hr, lr, kernel);   // SR +0.1, PLR_T −0.2, SR_mid +0.3, PLR_mid exact, SR_2 exact
        var weights = new KbSrLossWeights { Sr = 2, PseudoLr = 3, SrMid = 1, PseudoLrMid = 5, KernelPca = 7, KernelNorm = 0.5, SrEveryStage = 4, L1Images = true };
        using var terms = new KbSrLoss(weights, pca).Compute(output, hr, lr, kernel);
        Assert.Equal(0.1, terms.Sr, 5);
        Assert.Equal(0.2, terms.PseudoLr, 5);
        Assert.Equal(0.3, terms.SrMid, 5);
        Assert.Equal(0.0, terms.PseudoLrMid, 6);
        Assert.Equal(0.15, terms.SrStages, 5);
        Assert.Equal(2 * 0.1 + 3 * 0.2 + 0.3 + 4 * 0.15 + 0.5 * 1.0, terms.TotalValue, 4);
    }

    [Fact]
    public void Backward_WithEveryStageSupervision_ReachesEveryStagesSrHeadAndEstimator()
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test with { Stages = 3 };
        var (hr, lr, kernel) = Batch(config);
        using var pca = Pca(config);
        var nothing = new KbSrLossWeights { Sr = 0, PseudoLr = 0, SrMid = 0, PseudoLrMid = 0, KernelPca = 0, KernelNorm = 0, PcaDims = config.Loss.PcaDims };

        Dictionary<string, double> Gradients(KbSrLossWeights weights)
        {
            using var network = Network(config);
            using var output = network.Run(lr);
            using var terms = new KbSrLoss(weights, pca).Compute(output, hr, lr, kernel);
            terms.Total.backward();
            return network.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad is null ? 0.0 : p.parameter.grad.abs().sum().item<float>());
        }

        var srOnly = Gradients(nothing with { SrEveryStage = 1 });
        var kernelOnly = Gradients(nothing with { KernelPca = 1, KernelEveryStage = true });
        var midOnly = Gradients(nothing with { SrMid = 1 });
        for (int t = 0; t < config.Stages; t++)
        {
            Assert.True(srOnly[$"stages.{t}.sr_head.weight"] > 0, $"SR_{t + 1}'s head gets no gradient from every-stage supervision");
            Assert.True(kernelOnly[$"stages.{t}.estimator.fuse.weight"] > 0, $"K_{t + 1}'s estimator gets no gradient from the every-stage kernel term");
        }
        // Eq. 3's SR_mid term alone leaves the last stage's head untrained: nothing after SR_mid reads it.
        Assert.Equal(0.0, midOnly[$"stages.{config.Stages - 1}.sr_head.weight"]);
    }

    private static (Tensor Hr, Tensor Lr, Tensor Truth, Tensor Uniform) PhaseInputs() =>
        (rand(2, 3, 8, 8), rand(2, 3, 4, 4), GaussianKernel.IsotropicBatch(tensor(new[] { 0.8f, 1.5f }), 5), full(2, 5, 5, 1.0f / 25));
}
