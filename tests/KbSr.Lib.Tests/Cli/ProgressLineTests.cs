using KbSr.Cli.Commands;

namespace KbSr.Tests.Cli;

public class ProgressLineTests
{
    [Fact]
    public void Eta_IsElapsedPerItem_TimesTheItemsLeft()
    {
        Assert.Equal(300, ProgressLine.Eta(done: 25, total: 100, resumed: 0, elapsedSeconds: 100)!.Value, 9);   // 4 s/item, 75 left
    }

    [Fact]
    public void Eta_OfAResumedRun_CountsOnlyThisRunsItemsInTheRate()
    {
        // 700 of 952 read back from the journal, 10 done in 40 s by this run: 4 s/item, 242 left = 968 s.
        // Dividing by all 710 done would claim 14 s.
        Assert.Equal(968, ProgressLine.Eta(done: 710, total: 952, resumed: 700, elapsedSeconds: 40)!.Value, 9);
    }

    [Theory]
    [InlineData(0, 0)]      // nothing done yet
    [InlineData(700, 700)]  // only read-back items so far: no rate to go by
    [InlineData(952, 700)]  // finished
    public void Eta_IsUnknown_WithoutARateOrWhenDone(int done, int resumed)
    {
        Assert.Null(ProgressLine.Eta(done, 952, resumed, elapsedSeconds: 30));
    }
}
