using KbSr.Cli.Commands;

namespace KbSr.Tests.Cli;

/// <summary>The demo's choice of image: real when a data root has Set5 (or it can be downloaded), else the chart with a how-to line.</summary>
public class DemoImageTests
{
    [SkippableFact]
    public void WithSet5InTheDataRoot_UsesTheButterfly_WithoutANote()
    {
        var choice = DemoImage.Choose(null, TestSetup.RequireDataRoot("Set5"));
        Assert.True(choice.IsReal);
        Assert.Contains("butterfly", choice.Source);
        Assert.Null(choice.Note);
        Assert.Equal((256, 256), (choice.Image.Width, choice.Image.Height));   // Set5's butterfly is 256×256
    }

    [Fact]
    public void WithoutSet5_UsesTheChart_AndSaysInOneLineHowToGetRealImages()
    {
        string empty = NewDir();
        try
        {
            var choice = DemoImage.Choose(null, empty);
            Assert.False(choice.IsReal);
            Assert.Contains("test chart", choice.Source);
            Assert.Equal(DemoImage.HowToGetRealImages, choice.Note);
            Assert.Contains("kbsr data get Set5", choice.Note);
            Assert.DoesNotContain("\n", choice.Note!, StringComparison.Ordinal);
        }
        finally { Directory.Delete(empty, true); }
    }

    [SkippableFact]
    public void WithDownload_FetchesSet5IntoTheDataRoot_ThenUsesIt()
    {
        string root = NewDir();
        try
        {
            string? downloadedInto = null;
            var choice = DemoImage.Choose(null, root, async into =>
            {
                downloadedInto = into;
                // Stands in for the network: copy the test data root's Set5 where the downloader would put it.
                string target = Path.Combine(into, "Set5");
                Directory.CreateDirectory(target);
                foreach (string f in Directory.GetFiles(Path.Combine(TestSetup.RequireDataRoot("Set5"), "Set5")))
                    File.Copy(f, Path.Combine(target, Path.GetFileName(f)));
                await Task.CompletedTask;
            });
            Assert.Equal(Path.GetFullPath(root), Path.GetFullPath(downloadedInto!));
            Assert.True(choice.IsReal);
            Assert.Contains("butterfly", choice.Source);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void WithDownload_Offline_FallsBackToTheChart_NamingTheFailure()
    {
        string root = NewDir();
        try
        {
            var choice = DemoImage.Choose(null, root, _ => throw new HttpRequestException("name resolution failed"));
            Assert.False(choice.IsReal);
            Assert.Contains("could not download Set5", choice.Note);
            Assert.Contains("name resolution failed", choice.Note);
        }
        finally { Directory.Delete(root, true); }
    }

    [SkippableFact]
    public void AnExplicitImage_Wins()
    {
        string butterfly = Directory.GetFiles(Path.Combine(TestSetup.RequireDataRoot("Set5"), "Set5")).Order(StringComparer.Ordinal).ElementAt(2);
        var choice = DemoImage.Choose(butterfly, NewDirNoCreate());
        Assert.Equal(butterfly, choice.Source);
        Assert.Null(choice.Note);
    }

    private static string NewDirNoCreate() => Path.Combine(Path.GetTempPath(), $"kbsr-demo-{Guid.NewGuid():N}");

    private static string NewDir()
    {
        string dir = NewDirNoCreate();
        Directory.CreateDirectory(dir);
        return dir;
    }
}
