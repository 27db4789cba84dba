import { ServiceError, type Provider, type ServiceHandle, type ServiceKind } from "./provider";

/** Uses servers the user already runs, named by REDIS_URL and DATABASE_URL. */
export class ExternalProvider implements Provider {
  readonly name = "external";

  async startRedis(): Promise<ServiceHandle> {
    return new ExternalService("redis", required("REDIS_URL", "redis://localhost:6379"));
  }

  async startPostgres(): Promise<ServiceHandle> {
    return new ExternalService(
      "postgres",
      required("DATABASE_URL", "postgres://postgres:postgres@localhost:5432/postgres"),
    );
  }
}

function required(name: string, example: string): string {
  const value = process.env[name];
  if (!value)
    throw new ServiceError(
      `SANDBOX_SERVICES=external needs ${name} (for example ${name}=${example})`,
    );
  return value;
}

class ExternalService implements ServiceHandle {
  constructor(
    readonly kind: ServiceKind,
    readonly url: string,
  ) {}

  private refuse(): Promise<never> {
    return Promise.reject(
      new ServiceError(
        `fault injection needs a server the tests own: run with SANDBOX_SERVICES=docker or native, not external`,
      ),
    );
  }

  stop = () => this.refuse();
  start = () => this.refuse();
  pause = () => this.refuse();
  resume = () => this.refuse();
  // Servers we did not start are not ours to end.
  dispose = async () => {};
}
