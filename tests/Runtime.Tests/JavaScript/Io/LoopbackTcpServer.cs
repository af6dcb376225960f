using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Granary.Runtime.Tests.JavaScript.Io;

/// <summary>
/// A TCP server on a free loopback port for the socket tests: each connection is handed to a handler, plain or after a
/// TLS handshake with a self-signed certificate for "granary.test" and 127.0.0.1 (its PEM is <see cref="CertificatePem"/>).
/// The handler's end closes the connection; <see cref="Closed"/> completes when a connection ended.
/// </summary>
internal sealed class LoopbackTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<Stream, Connection, Task> _handler;
    private readonly bool _tls;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public LoopbackTcpServer(Func<Stream, Connection, Task> handler, bool tls = false)
    {
        _handler = handler;
        _tls = tls;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>Gets the certificate a TLS server presents.</summary>
    public static X509Certificate2 Certificate { get; } = MakeCertificate();

    /// <summary>Gets that certificate as PEM, for a client's <c>ca</c>.</summary>
    public static string CertificatePem { get; } = Certificate.ExportCertificatePem();

    public int Port { get; }

    /// <summary>Gets how many connections were accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Gets a task that completes when a connection has ended.</summary>
    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets the server name the last TLS client asked for (SNI).</summary>
    public string? ServerName { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    /// <summary>Echoes every byte back until the client ends its side, then ends its own.</summary>
    public static async Task EchoAsync(Stream stream, Connection connection)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer, connection.Token)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), connection.Token);
        }
    }

    /// <summary>Secures a plain connection as the server side of TLS (what a server does after PostgreSQL's SSL request).</summary>
    public async Task<SslStream> StartTlsAsync(Stream stream, Connection connection)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateSelectionCallback = (_, name) =>
            {
                ServerName = name;
                return Certificate;
            },
        }, connection.Token);
        return ssl;
    }

    private static X509Certificate2 MakeCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=granary.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("granary.test");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        // A certificate with its key usable by SslStream on Linux: round-tripped through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            Stream stream = client.GetStream();
            var connection = new Connection(client, _stop.Token);
            try
            {
                if (_tls)
                {
                    stream = await StartTlsAsync(stream, connection);
                }

                await _handler(stream, connection);
                client.Client.Shutdown(SocketShutdown.Send);
                var rest = new byte[256];
                while (await stream.ReadAsync(rest, _stop.Token) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
            {
                // The client went away (or refused the certificate).
            }
            finally
            {
                await stream.DisposeAsync();
                Closed.TrySetResult();
            }
        }
    }

    /// <summary>One accepted connection.</summary>
    internal sealed class Connection(TcpClient client, CancellationToken token)
    {
        public TcpClient Client { get; } = client;

        public CancellationToken Token { get; } = token;

        /// <summary>Reads one line (up to \n) as ASCII.</summary>
        public static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            var one = new byte[1];
            while (await stream.ReadAsync(one, cancellationToken) == 1 && one[0] != '\n')
            {
                line.Append((char)one[0]);
            }

            return line.ToString();
        }
    }
}
