using KbSr.Degradation;
using KbSr.Model;
using KbSr.Training;
using static KbSr.Model.StageSupervision;
using static KbSr.Tests.Model.ModelFixtures;
using static TorchSharp.torch;

namespace KbSr.Tests.Model;

public sealed class StageSupervisionTests
{
    [Theory]
    [InlineData(4, "D H D P")]        // the Small preset: mid = 2
    [InlineData(10, "D D D D H D D D D P")]   // the Paper preset: mid = 5
    [InlineData(2, "H P")]
    [InlineData(1, "H")]              // one stage: it is both SR_mid and SR_T; eq. 3 compares it with HR
    public void Roles_FollowEq3(int stages, string expected)
    {
        var roles = Enumerable.Range(1, stages).Select(t => Of(t, stages) switch
        {
            Role.AgainstHr => "H",
            Role.ThroughPseudoLr => "P",
            _ => "D",
        });
        Assert.Equal(expected, string.Join(" ", roles));
    }

    [Fact]
    public void Describe_NamesEachGroupOfStages()
    {
        Assert.Equal("SR_2 is eq. 3's SR_mid, trained against HR; SR_4 is trained only through its pseudo-LR; SR_1, SR_3 only " +
                     "feed D_t, so their PSNR is not meant to be high (docs/method.md §4)", Describe(KbSrConfig.Small));
        Assert.Equal("SR_1 is eq. 3's SR_mid, trained against HR; SR_2 is trained only through its pseudo-LR (docs/method.md §4)", Describe(2));
        Assert.Equal("SR_1 is eq. 3's SR_mid, trained against HR (docs/method.md §4)", Describe(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Of(5, 4));
    }

    // The roles are what the loss does: with the pseudo-LRs held fixed, eq. 3 changes with SR_mid only; SR_T enters
    // through PLR_T (KbSrNetTests checks PLR_t = (SR_t ⊛ K_t)↓s), the other stages not at all.
    [Fact]
    public void Eq3_SeesOnlyTheStagesItsRolesName()
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test with { Stages = 4 };
        using var pca = Pca(config);
        var hr = rand(1, 3, 8, 8);
        var lr = rand(1, 3, 4, 4);
        var kernel = GaussianKernel.IsotropicBatch(tensor(new[] { 1.1f }), 5);
        var loss = new KbSrLoss(config.Loss, pca);
        double Total(int replacedStage)
        {
            var stages = Enumerable.Range(1, 4).Select(t => t == replacedStage ? rand_like(hr) : hr + 0.05 * t).ToList();
            using var output = new KbSrOutput(hr + 0.1, stages, Enumerable.Range(0, 4).Select(_ => kernel.clone()).ToList(),
                Enumerable.Range(0, 4).Select(t => lr - 0.01 * t).ToList(), Enumerable.Range(0, 4).Select(_ => zeros_like(lr)).ToList(),
                [], kernel.clone(), config.MidStage);
            using var terms = loss.Compute(output, hr, lr, kernel);
            return terms.TotalValue;
        }
        double baseline = Total(replacedStage: 0);
        for (int t = 1; t <= 4; t++)
        {
            bool changes = Math.Abs(Total(t) - baseline) > 1e-4;
            Assert.True(changes == (Of(t, 4) == Role.AgainstHr), $"stage {t}: loss changed = {changes}");
        }
    }
}
