using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KbSr.Degradation;
using KbSr.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>Where training stood when a checkpoint was written. <see cref="GeneratorState"/> holds a torch
/// generator's state bytes (<c>Generator.get_state()</c>); <see cref="Numbers"/> any other counters a trainer
/// needs to resume (data-loader position, scheduler state, ...).</summary>
public sealed record TrainingState
{
    public long Step { get; init; }
    public long Seed { get; init; }
    public double LearningRate { get; init; }
    public byte[]? GeneratorState { get; init; }
    public Dictionary<string, double> Numbers { get; init; } = [];

    /// <summary>The run's options (train.json) when the checkpoint was written, so that a resume can tell a hand-edited
    /// train.json from the run's own settings; null in checkpoints written before this field and in exported weights.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Options { get; init; }
}

/// <summary>
/// A training checkpoint in ONE file: network weights, the <see cref="KbSrConfig"/> they were made with, the kernel
/// PCA of eq. 3, the <see cref="TrainingState"/> and, optionally, the Adam state. Written to a temp file and renamed.
/// <para>Format (little-endian): 8 bytes "KBSRCKPT", int32 version = 1, int32 n, n bytes of UTF-8 JSON
/// {config, state, sections: [{name, length}]}, the sections' bytes in that order ("weights": TorchSharp's
/// <c>Module.save</c> stream; "pca": <see cref="KernelPca.Save"/>'s bytes; "optimizer": <c>Optimizer.save_state_dict</c>),
/// then 32 bytes of SHA-256 over everything before them.</para>
/// A truncated, damaged or foreign file fails with an <see cref="InvalidDataException"/> naming the file; a
/// network of another architecture fails with a message naming the differing config fields.
/// <para>The SHA-256 detects damage (a flipped bit, a truncated copy), not tampering: anyone can write a file with a
/// matching checksum. What a file can ask for is bounded instead: its config is checked against
/// <see cref="KbSrConfig.Validate"/>'s bounds before any network is built, and the weights are plain tensors loaded
/// into that network (no code runs from a checkpoint).</para>
/// </summary>
public sealed class Checkpoint : IDisposable
{
    /// <summary>Largest checkpoint read (the paper-size networks with Adam's state take under 100 MB).</summary>
    public const long MaxBytes = 1L << 30;

    private const string Magic = "KBSRCKPT";
    private const int Version = 1;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly Dictionary<string, byte[]> _sections;

    private Checkpoint(string path, KbSrConfig config, TrainingState state, Dictionary<string, byte[]> sections, KernelPca? pca)
    {
        Path = path;
        Config = config;
        State = state;
        _sections = sections;
        Pca = pca;
    }

    /// <summary>The file this checkpoint was read from.</summary>
    public string Path { get; }

    public KbSrConfig Config { get; }
    public TrainingState State { get; }

    /// <summary>The stored kernel PCA (owned by this checkpoint), or null when none was saved.</summary>
    public KernelPca? Pca { get; }

    public bool HasOptimizerState => _sections.ContainsKey("optimizer");

    /// <summary>Writes a checkpoint of <paramref name="network"/> (any registered network; its config is stored) atomically.</summary>
    public static void Save(string path, ISrNetwork network, TrainingState state, KernelPca? pca = null, TorchSharp.Modules.OptimizerHelper? optimizer = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(state);
        var sections = new List<(string Name, byte[] Bytes)> { ("weights", Serialize(w => network.Module().save(w))) };
        if (pca is not null) sections.Add(("pca", PcaBytes(pca)));
        if (optimizer is not null) sections.Add(("optimizer", Serialize(w => optimizer.save_state_dict(w))));

        var header = new JsonObject
        {
            ["config"] = JsonNode.Parse(network.Config.ToJson()),
            ["state"] = JsonSerializer.SerializeToNode(state, Json),
            ["sections"] = new JsonArray(sections.Select(s => (JsonNode)new JsonObject { ["name"] = s.Name, ["length"] = s.Bytes.LongLength }).ToArray()),
        };
        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());

        using var body = new MemoryStream();
        body.Write(Encoding.ASCII.GetBytes(Magic));
        Span<byte> int32 = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(int32, Version);
        body.Write(int32);
        BinaryPrimitives.WriteInt32LittleEndian(int32, headerBytes.Length);
        body.Write(int32);
        body.Write(headerBytes);
        foreach (var (_, bytes) in sections) body.Write(bytes);
        byte[] hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        body.Write(hash);

        body.Position = 0;
        AtomicFile.Write(path, body.CopyTo);
    }

    /// <summary>Reads and verifies a checkpoint; with <paramref name="expected"/>, also checks that its config
    /// describes the same architecture.</summary>
    public static Checkpoint Read(string path, KbSrConfig? expected = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint not found", path);
        byte[] bytes = Runtime.RegularFile.ReadAllBytes(path, MaxBytes, "checkpoint");
        const int fixedHeader = 8 + 4 + 4;
        if (bytes.Length < fixedHeader || Encoding.ASCII.GetString(bytes, 0, Magic.Length) != Magic)
            throw new InvalidDataException($"{path}: not a KB-SR checkpoint (expected it to start with \"{Magic}\")");
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (version != Version)
            throw new InvalidDataException($"{path}: checkpoint format version {version}; this build reads version {Version}");
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        if (headerLength < 2 || fixedHeader + (long)headerLength > bytes.Length)
            throw new InvalidDataException($"{path}: the checkpoint is truncated ({bytes.Length} bytes, header claims {headerLength})");

        // The checksum first: a damaged file is then reported as damaged, whatever its header now says.
        int dataEnd = bytes.Length - SHA256.HashSizeInBytes;
        bool intact = dataEnd >= fixedHeader + headerLength &&
                      SHA256.HashData(bytes.AsSpan(0, dataEnd)).AsSpan().SequenceEqual(bytes.AsSpan(dataEnd));
        string damaged = intact ? "" : " (the checksum does not match: the file is damaged)";

        KbSrConfig config;
        TrainingState state;
        var lengths = new List<(string Name, long Length)>();
        try
        {
            var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, fixedHeader, headerLength)) as JsonObject
                         ?? throw new FormatException("the header is not a JSON object");
            var configNode = header["config"] as JsonObject ?? throw new FormatException("the header has no \"config\" object");
            try { config = KbSrConfig.FromJson(configNode.ToJsonString()); }
            catch (ArgumentException e) { throw new InvalidDataException($"{path}: checkpoint config: {e.Message}{damaged}", e); }
            state = (header["state"] as JsonObject ?? throw new FormatException("the header has no \"state\" object"))
                .Deserialize<TrainingState>(Json) ?? throw new FormatException("state is null");
            if (state.Numbers is null) throw new FormatException("state.numbers is null");
            var list = header["sections"] as JsonArray ?? throw new FormatException("the header has no \"sections\" list");
            foreach (var s in list)
            {
                if (s is not JsonObject o || o["name"] is not JsonValue name || !name.TryGetValue(out string? n) ||
                    o["length"] is not JsonValue length || !length.TryGetValue(out long l) || l < 0 || l > bytes.Length)
                    throw new FormatException($"section entry {s?.ToJsonString() ?? "null"}: expected {{\"name\": text, \"length\": 0 … the file's size}}");
                lengths.Add((n, l));
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: damaged checkpoint header: {e.Message}{damaged}", e);
        }
        long expectedLength = fixedHeader + headerLength + lengths.Sum(s => s.Length) + SHA256.HashSizeInBytes;
        if (bytes.Length != expectedLength)
            throw new InvalidDataException($"{path}: {bytes.Length} bytes, expected {expectedLength} — " +
                                           (bytes.Length < expectedLength ? "the checkpoint is truncated" : "trailing bytes after the data") + damaged);
        if (!intact)
            throw new InvalidDataException($"{path}: checksum mismatch — the checkpoint is damaged");

        var sections = new Dictionary<string, byte[]>();
        long offset = fixedHeader + headerLength;
        foreach (var (name, length) in lengths)
        {
            sections[name] = bytes.AsSpan((int)offset, (int)length).ToArray();
            offset += length;
        }
        if (!sections.ContainsKey("weights"))
            throw new InvalidDataException($"{path}: the checkpoint holds no weights");
        if (expected is not null) config.EnsureCompatible(expected, $"{path}: checkpoint config");
        KernelPca? pca = sections.TryGetValue("pca", out var pcaBytes) ? PcaFromBytes(pcaBytes, path) : null;
        return new Checkpoint(path, config, state, sections, pca);
    }

    /// <summary>The KB-SR network built from the stored config with the stored weights (<see cref="CreateModel"/> for any network).</summary>
    public KbSrNet CreateNetwork(Device? device = null)
    {
        var network = ModelRegistry.Create(Config);
        LoadWeightsInto(network);
        if (device is not null) network.to(device);
        return network;
    }

    /// <summary>Any registered network, built from the stored config (through <see cref="ModelRegistry"/>) with the stored weights.</summary>
    public ISrNetwork CreateModel(Device? device = null)
    {
        var network = ModelRegistry.Build(Config);
        LoadWeightsInto(network);
        if (device is not null) network.Module().to(device);
        return network;
    }

    /// <summary>Copies the stored weights into <paramref name="network"/>; its config must describe the same architecture.</summary>
    public void LoadWeightsInto(ISrNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Config.EnsureCompatible(network.Config, $"{Path}: checkpoint config");
        using var reader = new BinaryReader(new MemoryStream(_sections["weights"]));
        try
        {
            network.Module().load(reader, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{Path}: the stored weights do not fit the network: {e.Message}", e);
        }
    }

    /// <summary>Restores Adam's moments and step counts into <paramref name="optimizer"/>, which must have been created
    /// over the same network's parameters with the same optimiser type.</summary>
    public void LoadOptimizerInto(TorchSharp.Modules.OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!_sections.TryGetValue("optimizer", out var bytes))
            throw new InvalidOperationException($"{Path}: the checkpoint holds no optimizer state");
        using var reader = new BinaryReader(new MemoryStream(bytes));
        optimizer.load_state_dict(reader);
    }

    public void Dispose() => Pca?.Dispose();

    private static byte[] Serialize(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) write(writer);
        return stream.ToArray();
    }

    // KernelPca's public persistence is file-based; a private temp file keeps one format for both.
    private static byte[] PcaBytes(KernelPca pca)
    {
        string temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kbsr-pca-" + Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            pca.Save(temp);
            return File.ReadAllBytes(temp);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static KernelPca PcaFromBytes(byte[] bytes, string path)
    {
        string temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kbsr-pca-" + Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            File.WriteAllBytes(temp, bytes);
            return KernelPca.Load(temp);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: damaged PCA section: {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
