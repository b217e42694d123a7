using System.Text.Json;
using System.Text.Json.Serialization;

namespace KbSr.Kernel.Protocol;

/// <summary>A Jupyter connection file: where the five channels listen and the key that signs messages.</summary>
public sealed class ConnectionInfo
{
    [JsonPropertyName("ip")] public string Ip { get; set; } = "127.0.0.1";
    [JsonPropertyName("transport")] public string Transport { get; set; } = "tcp";
    [JsonPropertyName("shell_port")] public int ShellPort { get; set; }
    [JsonPropertyName("iopub_port")] public int IopubPort { get; set; }
    [JsonPropertyName("stdin_port")] public int StdinPort { get; set; }
    [JsonPropertyName("control_port")] public int ControlPort { get; set; }
    [JsonPropertyName("hb_port")] public int HeartbeatPort { get; set; }
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("signature_scheme")] public string SignatureScheme { get; set; } = "hmac-sha256";
    [JsonPropertyName("kernel_name")] public string? KernelName { get; set; }

    public string Address(int port) => Transport == "ipc" ? $"ipc://{Ip}-{port}" : $"{Transport}://{Ip}:{port}";

    public static ConnectionInfo Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"connection file '{path}' does not exist", path);
        var info = JsonSerializer.Deserialize<ConnectionInfo>(File.ReadAllText(path))
                   ?? throw new InvalidDataException($"connection file '{path}' is empty");
        if (info.SignatureScheme != "hmac-sha256" && !string.IsNullOrEmpty(info.Key))
            throw new InvalidDataException($"connection file '{path}': signature_scheme '{info.SignatureScheme}' is not supported (expected hmac-sha256)");
        return info;
    }

    /// <summary>Writes the file owner-only (mode 0600 from creation on; it holds the signing key).</summary>
    public void Write(string path)
    {
        PrivateFile.WriteAllText(path, JsonSerializer.Serialize(this));
    }

    /// <summary>A connection on free loopback ports with a fresh random key (used by the notebook runner).</summary>
    public static ConnectionInfo CreateLocal()
    {
        var ports = LoopbackPorts.Free(5);
        return new ConnectionInfo
        {
            ShellPort = ports[0], IopubPort = ports[1], StdinPort = ports[2], ControlPort = ports[3], HeartbeatPort = ports[4],
            Key = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            KernelName = KernelSpec.Name,
        };
    }
}
