// The ceiling of a .NET mirror's cold path on this machine, for bench/cold.sh: GET /v2/<path> relays the
// upstream's answer to the client chunk by chunk (256 KiB reads, as the mirror's fill reads), storing nothing.
// RELAY_HASH=1 hashes each chunk (SHA-256) before sending it, as a relay that verified in line would.
using System.Security.Cryptography;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
var upstream = Environment.GetEnvironmentVariable("RELAY_UPSTREAM") ?? throw new InvalidOperationException("RELAY_UPSTREAM is not set");
var hash = Environment.GetEnvironmentVariable("RELAY_HASH") == "1";
app.MapGet("/v2/{**path}", async (HttpContext context, string? path) =>
{
    if (string.IsNullOrEmpty(path))
    {
        return;
    }

    var cancellationToken = context.RequestAborted;
    using var answer = await http.GetAsync(new Uri($"{upstream}/v2/{path}"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    context.Response.StatusCode = (int)answer.StatusCode;
    context.Response.ContentLength = answer.Content.Headers.ContentLength;
    await using var body = await answer.Content.ReadAsStreamAsync(cancellationToken);
    using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    var buffer = new byte[256 * 1024];
    int read;
    while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
    {
        if (hash)
        {
            digest.AppendData(buffer, 0, read);
        }

        await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
    }
});
await app.RunAsync();
