using KbSr.Data;
using KbSr.Tests.Imaging;

namespace KbSr.Tests.Data;

public sealed class DataRootTests : IDisposable
{
    private readonly string _temp = TestImages.TempFolder();

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Make(params string[] parts) => Directory.CreateDirectory(Path.Combine([_temp, .. parts])).FullName;

    /// <summary>A fake repository: KbSr.Lib.sln plus data/datasets, and a folder deep inside to search from.</summary>
    private (string Datasets, string Deep) FakeRepo()
    {
        string repo = Make("repo");
        File.WriteAllText(Path.Combine(repo, DataRoot.SolutionFile), "");
        return (Make("repo", "data", "datasets"), Make("repo", "bin", "Debug"));
    }

    [Fact]
    public void Resolve_PrefersExplicitThenEnvironmentThenRepository()
    {
        var (datasets, deep) = FakeRepo();
        string explicitRoot = Make("explicit"), environment = Make("env");
        Assert.Equal(explicitRoot, DataRoot.Resolve(explicitRoot, environment, [deep]));
        Assert.Equal(environment, DataRoot.Resolve(null, environment, [deep]));
        Assert.Equal(environment, DataRoot.Resolve("  ", environment, [deep]));
        Assert.Equal(datasets, DataRoot.Resolve(null, null, [deep]));
        Assert.Equal(datasets, DataRoot.Resolve(null, "", [_temp, deep]));
    }

    [Fact]
    public void Resolve_OfMissingExplicitRoot_ThrowsNamingItInsteadOfFallingBack()
    {
        var (_, deep) = FakeRepo();
        string missing = Path.Combine(_temp, "missing");
        var e = Assert.Throws<DirectoryNotFoundException>(() => DataRoot.Resolve(missing, null, [deep]));
        Assert.Contains(missing, e.Message);
        e = Assert.Throws<DirectoryNotFoundException>(() => DataRoot.Resolve(null, missing, [deep]));
        Assert.Contains(DataRoot.Variable, e.Message);
    }

    [Fact]
    public void Resolve_WithNothingFound_ListsWhatWasTried()
    {
        string nowhere = Make("nowhere");
        var e = Assert.Throws<DirectoryNotFoundException>(() => DataRoot.Resolve(null, null, [nowhere]));
        Assert.Contains(DataRoot.Variable + " not set", e.Message);
        Assert.Contains(nowhere, e.Message);
        Assert.Contains("--data", e.Message);

        string repo = Make("repo2");
        File.WriteAllText(Path.Combine(repo, DataRoot.SolutionFile), "");
        e = Assert.Throws<DirectoryNotFoundException>(() => DataRoot.Resolve(null, null, [repo]));
        Assert.Contains(Path.Combine(repo, "data", "datasets") + " does not exist", e.Message);
    }

    [Fact]
    public void SetFolder_OfMissingSet_NamesTheSetTheRootAndWhatIsThere()
    {
        string root = Make("root");
        Make("root", "Set5");
        Make("root", "T91");
        var e = Assert.Throws<DirectoryNotFoundException>(() => DataRoot.SetFolder("Urban100", root));
        Assert.Contains("'Urban100'", e.Message);
        Assert.Contains(root, e.Message);
        Assert.Contains("Set5, T91", e.Message);
        Assert.Equal(Path.Combine(root, "Set5"), DataRoot.SetFolder("Set5", root));
    }
}
