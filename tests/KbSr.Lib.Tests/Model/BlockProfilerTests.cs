using KbSr.Model;
using KbSr.Training;
using static TorchSharp.torch;

namespace KbSr.Tests.Model;

public sealed class BlockProfilerTests
{
    [Fact]
    public void Session_TimesEveryBlockOfAStep_AndReplaysTheirBackward_WithoutChangingTheResult()
    {
        using var scope = NewDisposeScope();
        using var net = ModelFixtures.Network();
        var config = KbSrConfig.Test;
        var (hr, lr, kernel) = ModelFixtures.Batch(config);
        using var pca = ModelFixtures.Pca(config);
        var loss = new KbSrLoss(config.Loss, pca);
        double Loss()
        {
            using var output = net.Run(lr);
            using var terms = loss.Compute(output, hr, lr, kernel);
            return terms.TotalValue;
        }
        double plain = Loss();
        Dictionary<string, double> forward, backward;
        double profiled;
        using (var session = BlockProfiler.Start(record: true))
        {
            profiled = Loss();
            forward = new(session.Forward);
            backward = session.ReplayBackward(repeats: 1);
        }
        Assert.Equal(plain, profiled);
        string[] blocks = [BlockProfiler.Extract, BlockProfiler.InitialEstimator, BlockProfiler.Up, BlockProfiler.Down, BlockProfiler.SrHeads,
                           BlockProfiler.KernelEstimator, BlockProfiler.Blur, BlockProfiler.Bicubic, BlockProfiler.Sft];
        Assert.Equal(blocks.Order(), forward.Keys.Order());
        Assert.Equal(blocks.Order(), backward.Keys.Order());
        Assert.All(forward.Values.Concat(backward.Values), ms => Assert.True(ms > 0));
        // Closed: the blocks run unprofiled again (a new session starts empty and only sees what runs inside it).
        Loss();
        using var empty = BlockProfiler.Start(record: false);
        Assert.Empty(empty.Forward);
    }
}
