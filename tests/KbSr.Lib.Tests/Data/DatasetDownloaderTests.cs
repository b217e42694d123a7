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

    private static readonly DownloadLimits Quick = DownloadLimits.Default with { ReadTimeout = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task GetAsync_FromAServerThatStallsMidBody_FailsWithinTheReadTimeout_AndLeavesNothing()
    {
        using var server = ScriptedHttpServer.Stalling();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));   // the test's own bound, far above the 1 s limit
        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            DatasetDownloader.GetAsync(Tiny(server.Url + "tiny.zip", null), _root, ct: guard.Token, limits: Quick));
        Assert.Contains("no data for 1 s", e.Message);
        Assert.Contains(server.Url, e.Message);
        Assert.False(guard.IsCancellationRequested);
        AssertNothingLeft();
    }

    [Fact]
    public async Task GetAsync_FromAServerThatNeverAnswers_FailsWithATimeout()
    {
        using var server = new ScriptedHttpServer((_, ct) => Task.Delay(Timeout.Infinite, ct));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            DatasetDownloader.GetAsync(Tiny(server.Url + "tiny.zip", null), _root, ct: guard.Token, limits: Quick));
        Assert.Contains("no response within 3 s", e.Message);
        AssertNothingLeft();
    }

    [Fact]
    public async Task GetAsync_OfAnOversizedBody_StopsAtTheByteLimit_AnnouncedOrNot()
    {
        var limits = Quick with { MaxDownloadBytes = 1 << 20 };
        // No Content-Length: the body runs until the connection closes, far past the limit.
        using (var endless = new ScriptedHttpServer(async (s, ct) =>
               {
                   await ScriptedHttpServer.Write(s, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", ct);
                   var zeros = new byte[1 << 16];
                   while (true) await s.WriteAsync(zeros, ct);
               }))
        {
            var e = await Assert.ThrowsAsync<IOException>(() => DatasetDownloader.GetAsync(Tiny(endless.Url + "t.zip", null), _root, limits: limits));
            Assert.Contains("more than the 1 MB download limit", e.Message);
        }
        AssertNothingLeft();
        using (var announced = ScriptedHttpServer.Stalling(announcedLength: 5L << 30))
        {
            var e = await Assert.ThrowsAsync<IOException>(() => DatasetDownloader.GetAsync(Tiny(announced.Url + "t.zip", null), _root, limits: limits));
            Assert.Contains("announces 5368.7 MB", e.Message);
        }
        AssertNothingLeft();
    }

    [Fact]
    public async Task GetAsync_RedirectedToAFileAddress_RefusesNamingIt()
    {
        using var server = new ScriptedHttpServer((s, ct) =>
            ScriptedHttpServer.Write(s, "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n", ct));
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => DatasetDownloader.GetAsync(Tiny(server.Url + "t.zip", null), _root, limits: Quick));
        Assert.Contains("redirected to file:///etc/passwd", e.Message);
        Assert.Contains("only http and https", e.Message);
        AssertNothingLeft();
    }

    private static byte[] Bomb(bool tarGz, string entry = "pack/Tiny/zeros.png", int bytes = 8 << 20)
    {
        using var memory = new MemoryStream();
        if (tarGz)
        {
            using var gz = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true);
            using var tar = new TarWriter(gz);
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entry) { DataStream = new MemoryStream(new byte[bytes]) });
        }
        else
        {
            using var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true);
            using var stream = zip.CreateEntry(entry, CompressionLevel.Optimal).Open();
            stream.Write(new byte[bytes]);
        }
        return memory.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetAsync_OfAnArchiveBomb_StopsAtTheExpansionLimit_AndLeavesNothing(bool tarGz)
    {
        byte[] bomb = Bomb(tarGz);                       // 8 MB of zeros in a few kB
        string path = Path.Combine(_temp, tarGz ? "bomb.tar.gz" : "bomb.zip");
        File.WriteAllBytes(path, bomb);
        var limits = DownloadLimits.Default with { ExpansionAllowanceBytes = 1 << 20 };
        var e = await Assert.ThrowsAsync<InvalidDataException>(() =>
            DatasetDownloader.GetAsync(Tiny(new Uri(path).AbsoluteUri, null, files: 1, folder: null), _root, limits: limits));
        Assert.Contains("refused", e.Message);
        Assert.Contains("expands to more than 1 MB", e.Message);
        AssertNothingLeft();

        var perEntry = DownloadLimits.Default with { MaxEntryBytes = 1 << 20 };
        e = await Assert.ThrowsAsync<InvalidDataException>(() =>
            DatasetDownloader.GetAsync(Tiny(new Uri(path).AbsoluteUri, null, files: 1, folder: null), _root, limits: perEntry));
        Assert.Contains("entry 'pack/Tiny/zeros.png' expands to more than 1 MB", e.Message);
        AssertNothingLeft();
    }

    /// <summary>The default limits: 100 MB of zeros in a ~100 kB archive is refused at 20 × its size + 64 MB of allowance,
    /// before it is all written.</summary>
    [Fact]
    public async Task GetAsync_OfAnArchiveBomb_IsRefusedByTheDefaultLimits()
    {
        byte[] bomb = Bomb(tarGz: false, bytes: 100 << 20);
        Assert.InRange(bomb.Length, 1, 1 << 20);
        string path = Path.Combine(_temp, "bomb100.zip");
        File.WriteAllBytes(path, bomb);
        long limit = DownloadLimits.Default.MaxExtractedBytes(bomb.Length);
        Assert.InRange(limit, 64L << 20, (64L << 20) + 20L * (1 << 20));   // 64 MB + 20 × the archive: well below 100 MB
        var e = await Assert.ThrowsAsync<InvalidDataException>(() =>
            DatasetDownloader.GetAsync(Tiny(new Uri(path).AbsoluteUri, null, files: 1, folder: null), _root));
        Assert.Contains("refused", e.Message);
        AssertNothingLeft();
    }

    [Fact]
    public async Task GetAsync_OfAnEntryPointingOutside_RefusesIt()
    {
        string path = Path.Combine(_temp, "escape.zip");
        File.WriteAllBytes(path, Bomb(tarGz: false, entry: "../../escaped.png", bytes: 10));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() =>
            DatasetDownloader.GetAsync(Tiny(new Uri(path).AbsoluteUri, null, files: 1, folder: null), _root));
        Assert.Contains("points outside", e.Message);
        Assert.False(File.Exists(Path.Combine(_temp, "escaped.png")));
        AssertNothingLeft();
    }

    [Fact]
    public async Task GetAsync_RemovesWorkingFoldersOfKilledDownloads_AndKeepsALiveOne()
    {
        string dead = Path.Combine(_root, $".download-Tiny-{int.MaxValue}-{Guid.NewGuid():N}");
        string older = Path.Combine(_root, $".download-Other-{Guid.NewGuid():N}");     // the format before the process id was in the name
        string live = Path.Combine(_root, $".download-Tiny-{Environment.ProcessId}-{Guid.NewGuid():N}");
        foreach (string f in new[] { dead, older, live }) File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(f).FullName, "part"), new byte[100]);
        byte[] zip = MakeZip(3);
        using var server = new LocalHttpServer(zip);
        await DatasetDownloader.GetAsync(Tiny(server.Url + "tiny.zip", Sha(zip)), _root);
        Assert.Equal([Path.GetFileName(live), "Tiny"], Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
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
