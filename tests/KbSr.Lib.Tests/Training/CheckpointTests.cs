using KbSr.Model;
using KbSr.Training;
using TorchSharp;
using static KbSr.Tests.Model.ModelFixtures;
using static TorchSharp.torch;

namespace KbSr.Tests.Training;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kbsr-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void SaveRead_RoundTrip_GivesIdenticalOutputsConfigPcaAndState()
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test with { KernelSft = true };
        using var network = Network(config);
        using var pca = Pca(config);
        string path = Path.Combine(_folder, "run", "step-5.ckpt");
        var state = new TrainingState { Step = 5, Seed = 42, LearningRate = 1e-4, GeneratorState = [1, 2, 3], Numbers = { ["epoch"] = 2 } };
        Checkpoint.Save(path, network, state, pca);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));   // no temp file left

        using var checkpoint = Checkpoint.Read(path, config);
        Assert.Equal(config, checkpoint.Config);
        Assert.Equal((5L, 42L, 1e-4, 2.0), (checkpoint.State.Step, checkpoint.State.Seed, checkpoint.State.LearningRate, checkpoint.State.Numbers["epoch"]));
        Assert.Equal(new byte[] { 1, 2, 3 }, checkpoint.State.GeneratorState);
        Assert.True(Identical(pca.Components, checkpoint.Pca!.Components));
        using var loaded = checkpoint.CreateNetwork();
        var lr = rand(2, 3, 6, 5);
        Assert.True(Identical(network.call(lr), loaded.call(lr)));
    }

    [Fact]
    public void OptimizerState_RoundTrip_ContinuesTrainingIdentically()
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test;
        using var pca = Pca(config);
        var loss = new KbSrLoss(config.Loss, pca);
        var (hr, lr, kernel) = Batch(config);
        using var network = Network(config);
        using var adam = optim.Adam(network.parameters(), lr: 1e-3);
        for (int i = 0; i < 3; i++) TrainingStep.Run(network, loss, adam, hr, lr, kernel);
        string path = Path.Combine(_folder, "a.ckpt");
        Checkpoint.Save(path, network, new TrainingState { Step = 3 }, pca, adam);

        using var checkpoint = Checkpoint.Read(path);
        Assert.True(checkpoint.HasOptimizerState);
        using var resumed = checkpoint.CreateNetwork();
        using var resumedAdam = optim.Adam(resumed.parameters(), lr: 1e-3);
        checkpoint.LoadOptimizerInto(resumedAdam);
        TrainingStep.Run(network, loss, adam, hr, lr, kernel);
        TrainingStep.Run(resumed, loss, resumedAdam, hr, lr, kernel);
        // A fresh Adam (zero moments) would take a different step; only a restored one matches exactly.
        Assert.True(Identical(network.call(lr), resumed.call(lr)));
    }

    [Fact]
    public void Read_TruncatedFile_FailsNamingTheFile()
    {
        using var network = Network();
        string path = Path.Combine(_folder, "t.ckpt");
        Checkpoint.Save(path, network, new TrainingState());
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FlippedByte_FailsTheChecksum()
    {
        using var network = Network();
        string path = Path.Combine(_folder, "c.ckpt");
        Checkpoint.Save(path, network, new TrainingState());
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Read(path));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ForeignFile_FailsNamingTheFile()
    {
        string path = Path.Combine(_folder, "image.png");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a KB-SR checkpoint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MismatchingConfig_FailsNamingTheDifferingFields()
    {
        using var network = Network();
        string path = Path.Combine(_folder, "m.ckpt");
        Checkpoint.Save(path, network, new TrainingState());
        var other = KbSrConfig.Test with { Stages = 3, Channels = 6 };
        var e = Assert.Throws<InvalidOperationException>(() => Checkpoint.Read(path, other));
        Assert.Contains("Stages (2 vs 3)", e.Message, StringComparison.Ordinal);
        Assert.Contains("Channels (4 vs 6)", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        using var checkpoint = Checkpoint.Read(path);
        using var wrong = Network(other);
        Assert.Throws<InvalidOperationException>(() => checkpoint.LoadWeightsInto(wrong));
    }

    /// <summary>A checkpoint whose config has been edited and whose checksum has been recomputed, as a crafted file would be.</summary>
    private string Forged(string name, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        using var network = Network();
        string path = Path.Combine(_folder, name);
        Checkpoint.Save(path, network, new TrainingState());
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = BitConverter.ToInt32(bytes, 12);
        var header = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Encoding.UTF8.GetString(bytes, 16, headerLength))!.AsObject();
        edit(header["config"]!.AsObject());
        byte[] newHeader = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        var body = new List<byte>(bytes[..12]);
        body.AddRange(BitConverter.GetBytes(newHeader.Length));
        body.AddRange(newHeader);
        body.AddRange(bytes[(16 + headerLength)..^32]);
        body.AddRange(System.Security.Cryptography.SHA256.HashData(body.ToArray()));
        File.WriteAllBytes(path, [.. body]);
        return path;
    }

    [Theory]
    [InlineData("stages", 999, "stages = 999 is outside 1–100")]
    [InlineData("channels", 100000, "channels = 100000 is outside 1–1024")]
    [InlineData("kernelSize", 2001, "kernelSize = 2001 is outside 1–63")]
    [InlineData("initialChannels", -4, "initialChannels = -4 is outside 1–4096")]
    [InlineData("estimatorWidth", 1024, "stages × width² = 2 × 1024²")]
    public void Read_ForgedConfigOutOfBounds_FailsNamingTheFileAndField_BeforeBuildingAnything(string field, int value, string expected)
    {
        string path = Forged($"{field}.ckpt", config => config[field] = value);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("damaged", e.Message, StringComparison.Ordinal);   // the checksum matched: it is the config that is refused
    }

    [Fact]
    public void Read_PaperSizedConfig_IsWithinTheBounds()
    {
        KbSrConfig.Paper.Validate();
        (KbSrConfig.Paper with { Stages = 40, Channels = 128 }).Validate();   // a 16× larger research variant
        string path = Forged("paper.ckpt", config => config["stages"] = 3);   // in bounds: only the weights then disagree
        using var checkpoint = Checkpoint.Read(path);
        Assert.Equal(3, checkpoint.Config.Stages);
    }

    [Fact]
    public void Read_AnyFlippedByteInTheHeader_FailsNamingTheFile_WithoutANullReference()
    {
        using var network = Network();
        string path = Path.Combine(_folder, "h.ckpt");
        Checkpoint.Save(path, network, new TrainingState { Numbers = { ["bestPsnrY"] = 30 } });
        byte[] original = File.ReadAllBytes(path);
        int headerEnd = 16 + BitConverter.ToInt32(original, 12);
        for (int i = 8; i < headerEnd; i++)
        foreach (byte mask in new byte[] { 0x01, 0x20 })
        {
            byte[] bytes = (byte[])original.Clone();
            bytes[i] ^= mask;
            File.WriteAllBytes(path, bytes);
            var e = Assert.ThrowsAny<Exception>(() => Checkpoint.Read(path).Dispose());
            Assert.True(e is InvalidDataException, $"byte {i} ^ 0x{mask:x2}: {e.GetType().Name}: {e.Message}");
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Object reference", e.Message, StringComparison.Ordinal);
        }
    }
}
