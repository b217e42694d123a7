using KbSr.Model;
using KbSr.Training;
using TorchSharp;
using static KbSr.Tests.Model.ModelFixtures;
using static TorchSharp.torch;

namespace KbSr.Tests.Training;

public sealed class TrainingStepTests
{
    [Fact]
    public void AdamSteps_OnOneFixedBatch_LowerTheLossSubstantially()
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test with { Loss = new KbSrLossWeights { KernelNorm = 0, PcaDims = 5 } };
        using var pca = Pca(config);
        var loss = new KbSrLoss(config.Loss, pca);
        var (hr, lr, kernel) = Batch(config, batch: 2, h: 8, w: 8);
        using var network = Network(config);
        using var adam = optim.Adam(network.parameters(), lr: 2e-3);
        double first = TrainingStep.Run(network, loss, adam, hr, lr, kernel)["total"];
        double last = first;
        for (int i = 0; i < 40; i++) last = TrainingStep.Run(network, loss, adam, hr, lr, kernel)["total"];
        Assert.True(last < 0.3 * first, $"loss {first:G4} → {last:G4}");
    }

    [Fact]
    public void TrainingSteps_DoNotGrowTheLiveTensorCount()
    {
        using var pca = Pca(KbSrConfig.Test);
        var loss = new KbSrLoss(KbSrConfig.Test.Loss, pca);
        using var data = NewDisposeScope();
        var (hr, lr, kernel) = Batch(KbSrConfig.Test);
        using var network = Network();
        using var adam = optim.Adam(network.parameters(), lr: 1e-3);
        for (int i = 0; i < 2; i++) TrainingStep.Run(network, loss, adam, hr, lr, kernel);   // grads and Adam state exist now
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 10; i++) TrainingStep.Run(network, loss, adam, hr, lr, kernel);
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
    }
}
