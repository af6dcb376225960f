using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Granary.Grains.Tests.Infrastructure;

/// <summary>
/// A local npm registry that has no packages: it answers every request 404 (npm fails at once with E404), unless a
/// test holds it, in which case requests wait, unanswered, until the hold is released. A deployment with dependencies
/// is then held in its npm install for as long as the test needs, with no clock involved.
/// </summary>
public sealed class HeldRegistry : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private Hold? _hold;

    public HeldRegistry()
    {
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
        _accepting = AcceptAsync();
    }

    /// <summary>Gets the registry's address, for <c>Granary:Npm:Registry</c>.</summary>
    public string Url { get; }

    /// <summary>Holds every request from now until the returned hold is released (or disposed).</summary>
    public Hold HoldRequests()
    {
        var hold = new Hold();
        if (Interlocked.CompareExchange(ref _hold, hold, null) is not null)
        {
            throw new InvalidOperationException("The registry is already held.");
        }

        hold.Released.Task.ContinueWith(_ => Interlocked.CompareExchange(ref _hold, null, hold), TaskScheduler.Default);
        return hold;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = AnswerAsync(client);
        }
    }

    // Reads the request's head, waits while the registry is held, then answers 404 and closes. Never throws: a client
    // that went away is simply done.
    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[4096];
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                if (Volatile.Read(ref _hold) is { } hold)
                {
                    hold.Requested.TrySetResult();
                    await hold.Released.Task.WaitAsync(_stop.Token);
                }

                var body = "{\"error\":\"Not found\"}"u8.ToArray();
                var response = Encoding.ASCII.GetBytes($"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(response, _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client (npm) went away, or the registry stopped.
            }
        }
    }

    /// <summary>A hold on the registry: requests wait until <see cref="Release"/>.</summary>
    public sealed class Hold : IDisposable
    {
        /// <summary>Gets a source completed when the first request arrives during the hold (npm is installing).</summary>
        public TaskCompletionSource Requested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Lets the waiting requests be answered (404).</summary>
        public void Release() => Released.TrySetResult();

        public void Dispose() => Release();
    }
}
