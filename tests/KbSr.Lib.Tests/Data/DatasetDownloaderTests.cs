using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using KbSr.Data;
using KbSr.Imaging;
using KbSr.Tests.Imaging;

namespace KbSr.Tests.Data;

public sealed class DatasetDownloaderTests : IDisposable
{
    private readonly string _temp = TestImages.TempFolder();
    private readonly string _root;

    public DatasetDownloaderTests() => _root = Path.Combine(_temp, "root");

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>A zip holding <c>pack/Tiny/img_NNN.png</c> (generated) plus a readme.</summary>
    private static byte[] MakeZip(int images)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            string folder = TestImages.TempFolder();
            try
            {
                for (int i = 0; i < images; i++)
                {
                    string file = Path.Combine(folder, $"img_{i:D3}.png");
                    ImageFile.WritePng(TestImages.Random(6, 5, seed: 10 + i), file);
                    zip.CreateEntryFromFile(file, $"pack/Tiny/img_{i:D3}.png");
                }
            }
            finally { Directory.Delete(folder, recursive: true); }
            using var readme = new StreamWriter(zip.CreateEntry("pack/README.txt").Open());
            readme.Write("generated for a test");
        }
        return memory.ToArray();
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static DatasetInfo Tiny(string url, string? sha, int files = 3, string? folder = "*/Tiny") =>
        new("Tiny", files, "generated", url, "tiny.zip", sha, ArchiveFolder: folder);

    private void AssertNothingLeft() =>
        Assert.Empty(Directory.Exists(_root) ? Directory.GetFileSystemEntries(_root) : []);

    [Fact]
    public async Task GetAsync_FromLocalHttpServer_VerifiesAndMovesTheImagesIntoPlace()
    {
        byte[] zip = MakeZip(3);
        using var server = new LocalHttpServer(zip);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var messages = new List<string>();
        await DatasetDownloader.GetAsync(Tiny(server.Url + "tiny.zip", Sha(zip)), _root,
                                         progress: new SyncProgress(messages), ct: timeout.Token);

        string folder = Path.Combine(_root, "Tiny");
        Assert.Equal(["img_000.png", "img_001.png", "img_002.png"], ImageFile.ListImages(folder).Select(Path.GetFileName));
        Assert.Equal(TestImages.Random(6, 5, seed: 11).Pixels, ImageFile.Read(Path.Combine(folder, "img_001.png")).Pixels);
        Assert.Equal(["Tiny"], Directory.GetFileSystemEntries(_root).Select(Path.GetFileName)); // no working folder left
        Assert.Equal(1, server.Requests);
        Assert.Contains("SHA-256 ok", messages);
    }

    [Fact]
    public async Task GetAsync_WithWrongChecksum_ThrowsAndLeavesNothing()
    {
        byte[] zip = MakeZip(2);
        using var server = new LocalHttpServer(zip);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() =>
            DatasetDownloader.GetAsync(Tiny(server.Url + "tiny.zip", new string('a', 64), files: 2), _root, ct: timeout.Token));
        Assert.Contains(Sha(zip), e.Message);
        AssertNothingLeft();
    }

    [Fact]
    public async Task GetAsync_WithWrongCount_ThrowsAndLeavesNothing()
    {
        byte[] zip = MakeZip(2);
        using var server = new LocalHttpServer(zip);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() =>
            DatasetDownloader.GetAsync(Tiny(server.Url + "tiny.zip", null, files: 5), _root, ct: timeout.Token));
        Assert.Contains("2 images", e.Message);
        AssertNothingLeft();
    }

    [Fact]
    public async Task GetAsync_OfHttpError_ThrowsAndLeavesNothing()
    {
        using var server = new LocalHttpServer(null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var e = await Assert.ThrowsAsync<HttpRequestException>(() =>
            DatasetDownloader.GetAsync(Tiny(server.Url + "missing.zip", null), _root, ct: timeout.Token));
        Assert.Contains("404", e.Message);
        AssertNothingLeft();
    }

    [Fact]
    public async Task GetAsync_OfLocalTarGz_WithIncludePattern_TakesOnlyMatchingImages()
    {
        // tar.gz of a folder mixing HR and LR files, found without ArchiveFolder (single top folder).
        string source = Directory.CreateDirectory(Path.Combine(_temp, "src", "set")).FullName;
        for (int i = 1; i <= 2; i++)
        {
            ImageFile.WritePng(TestImages.Random(4, 4, seed: i), Path.Combine(source, $"img_{i:D3}_HR.png"));
            ImageFile.WritePng(TestImages.Random(2, 2, seed: i), Path.Combine(source, $"img_{i:D3}_LR.png"));
        }
        string archive = Path.Combine(_temp, "set.tar.gz");
        await using (var file = File.Create(archive))
        await using (var gz = new GZipStream(file, CompressionLevel.Fastest))
            await TarFile.CreateFromDirectoryAsync(Path.Combine(_temp, "src"), gz, includeBaseDirectory: false);

        var info = new DatasetInfo("Mixed", 2, "generated", new Uri(archive).AbsoluteUri, null, null, Include: "*_HR.png");
        await DatasetDownloader.GetAsync(info, _root);
        Assert.Equal(["img_001_HR.png", "img_002_HR.png"], ImageFile.ListImages(Path.Combine(_root, "Mixed")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task GetAsync_IntoExistingFolderOrWithoutUrl_ThrowsWithAdvice()
    {
        Directory.CreateDirectory(Path.Combine(_root, "Tiny"));
        var e = await Assert.ThrowsAsync<IOException>(() => DatasetDownloader.GetAsync(Tiny("http://127.0.0.1:9/x.zip", null), _root));
        Assert.Contains("already exists", e.Message);
        var noUrl = new DatasetInfo("Other", 1, "x", null, null, null);
        var e2 = await Assert.ThrowsAsync<InvalidOperationException>(() => DatasetDownloader.GetAsync(noUrl, _root));
        Assert.Contains("--url", e2.Message);
    }

    /// <summary>Progress that records synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(List<string> sink) : IProgress<string>
    {
        public void Report(string value) { lock (sink) sink.Add(value); }
    }

    /// <summary>Serves one byte array at every path on 127.0.0.1 (404 when null), until disposed.</summary>
    private sealed class LocalHttpServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly byte[]? _body;
        private readonly Task _loop;
        private int _requests;

        public LocalHttpServer(byte[]? body)
        {
            _body = body;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(Serve);
        }

        public string Url { get; }
        public int Requests => Volatile.Read(ref _requests);

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                Interlocked.Increment(ref _requests);
                using var response = context.Response;
                if (_body is null) { response.StatusCode = 404; continue; }
                response.ContentType = "application/zip";
                response.ContentLength64 = _body.Length;
                await response.OutputStream.WriteAsync(_body);
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
