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

    [Fact]
    public void Compute_KnownErrors_GivesHandComputedTerms()
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test;
        using var pca = Pca(config);
        var hr = rand(2, 3, 8, 8);
        var lr = rand(2, 3, 4, 4);
        var kernel = GaussianKernel.IsotropicBatch(tensor(new[] { 0.8f, 1.5f }), 5);
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
}
