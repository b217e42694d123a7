using KbSr.Evaluation;

namespace KbSr.Tests.Evaluation;

public class PaperTableTests
{
    [Fact]
    public void Quoted_SplitsNineValuesIntoSigmaCellsInReadingOrder()
    {
        var row = PaperTable.Quoted("IKC", [32.39, 28.77, 27.58, 32.41, 28.82, 27.64, 32.05, 28.55, 27.47]);
        Assert.Equal("quoted from the paper", row.Source);
        Assert.Equal("32.39 / 28.77 / 27.58", row.Sigma02);
        Assert.Equal("32.41 / 28.82 / 27.64", row.Sigma13);
        Assert.Equal("32.05 / 28.55 / 27.47", row.Sigma26);
    }

    [Fact]
    public void Quoted_WithWrongCount_Throws() =>
        Assert.Throws<ArgumentException>(() => PaperTable.Quoted("x", [1.0, 2.0]));

    [Fact]
    public void Measured_AveragesImagesAndMarksMissingSetsWithDash()
    {
        var results = new EvalResults(
        [
            new ImageScore("bicubic", "Set5", 0.2, "a", 30.0, 0.9),
            new ImageScore("bicubic", "Set5", 0.2, "b", 31.0, 0.9),
            new ImageScore("bicubic", "Set5", 2.6, "a", 25.0, 0.8),
            new ImageScore("KB-SR", "Set5", 0.2, "a", 33.0, 0.95),
        ], gaussian8: false);
        var rows = PaperTable.Measured(results);
        Assert.Equal(["bicubic", "KB-SR"], rows.Select(r => r.Method));
        Assert.Equal("30.50 / – / –", rows[0].Sigma02);
        Assert.Equal("– / – / –", rows[0].Sigma13);
        Assert.Equal("25.00 / – / –", rows[0].Sigma26);
        Assert.Equal("measured (this run)", rows[1].Source);
    }

    [Fact]
    public void ToMarkdown_HasTitleHeaderAndOneLinePerRow()
    {
        string md = PaperTable.ToMarkdown("Table 1", [PaperTable.Quoted("A", [1, 2, 3, 4, 5, 6, 7, 8, 9])]);
        var lines = md.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Table 1", lines[0].TrimEnd());
        Assert.Equal("| quoted from the paper | A | 1.00 / 2.00 / 3.00 | 4.00 / 5.00 / 6.00 | 7.00 / 8.00 / 9.00 |", lines[3].TrimEnd());
    }
}
