import type { Node, NodeAPI, NodeConstructor, NodeDef } from 'node-red';
import type { Request, Response } from 'express';
import { isSentence } from '../lib/errors';
import { EntityResolver } from '../lib/sensorthings/find-or-create';
import { type SensorThingsAuth, SensorThingsClient } from '../lib/sensorthings/http';
import { probeServiceRoot } from '../lib/sensorthings/service-root';
import { errorText } from './support/errors';
import { removeNodeStorage } from './support/storage';
import {
  type SensorThingsCredentials,
  type SensorThingsServerNode,
  sensorthingsCachePath,
} from './support/sensorthings';

interface SensorThingsServerConfig extends NodeDef {
  url: string;
  auth: 'none' | 'basic' | 'bearer';
  caFile: string;
  mqttUrl: string;
}

/** What the dialog sends to test settings not deployed yet; a secret left as `__PWRD__` is the deployed one. */
interface TestSettings extends SensorThingsCredentials {
  id?: string;
  url?: string;
  auth?: string;
  caFile?: string;
}

const KEPT_SECRET = '__PWRD__';

export = function register(RED: NodeAPI): void {
  function SensorThingsServer(
    this: SensorThingsServerNode,
    config: SensorThingsServerConfig,
  ): void {
    RED.nodes.createNode(this, config);
    const node = this;
    node.mqttUrl = config.mqttUrl?.trim() || undefined;
    node.caFile = config.caFile?.trim() || undefined;
    try {
      node.client = clientOf(config, node.credentials ?? {});
      node.problem = undefined;
    } catch (err) {
      node.client = undefined;
      node.problem = err;
      node.error(errorText(RED._, err));
    }
    const client = node.client;
    // One resolver per config node: its id cache, and the creation locks of the process shared by all.
    node.resolver =
      client === undefined
        ? Promise.reject(node.problem)
        : EntityResolver.open({ client, directory: sensorthingsCachePath(RED, node.id) });
    node.resolver.catch((err: unknown) => {
      if (client !== undefined) node.warn(errorText(RED._, err));
    });
    // Deleted from the flow (not a redeploy): its id cache goes too, as a queue goes with its node.
    node.on('close', (removed: boolean, done: () => void) => {
      node.resolver
        .then((resolver) => resolver.close())
        .catch(() => undefined)
        .then(() =>
          removed ? removeNodeStorage(RED, node, sensorthingsCachePath(RED, node.id)) : undefined,
        )
        .catch((err: unknown) => node.warn(errorText(RED._, err)))
        .finally(() => {
          client?.close();
          done();
        });
    });
  }

  /** Whether the service root answers, and which version and extensions it lists. */
  function answerTest(res: Response, client: SensorThingsClient, closeAfter: boolean): void {
    probeServiceRoot(client)
      .then(
        (report) => res.json({ ok: true, ...report }),
        (err: unknown) => {
          const error = errorText(RED._, err);
          res
            .status(502)
            .json(
              isSentence(err)
                ? { ok: false, code: err.code, messageId: err.messageId, params: err.params, error }
                : { ok: false, error },
            );
        },
      )
      .finally(() => {
        if (closeAfter) client.close();
      });
  }

  RED.httpAdmin.get(
    '/senfed/sensorthings-server/:id/test',
    RED.auth.needsPermission('sensorthings-server.read'),
    (req: Request, res: Response) => {
      const server = RED.nodes.getNode(String(req.params.id)) as SensorThingsServerNode | null;
      if (!server) {
        res.status(404).json({
          ok: false,
          code: 'notDeployed',
          error: RED._('sensorthings-server.problems.notDeployed'),
        });
        return;
      }
      if (!server.client) {
        res.status(400).json({ ok: false, error: errorText(RED._, server.problem) });
        return;
      }
      answerTest(res, server.client, false);
    },
  );

  // Settings being edited: the dialog's, with the deployed node's secrets where the dialog keeps them hidden.
  RED.httpAdmin.post(
    '/senfed/sensorthings-server/test',
    RED.auth.needsPermission('sensorthings-server.write'),
    (req: Request, res: Response) => {
      const settings = (req.body ?? {}) as TestSettings;
      const deployed =
        typeof settings.id === 'string'
          ? ((RED.nodes.getCredentials(settings.id) ?? {}) as SensorThingsCredentials)
          : {};
      const secret = (given: unknown, kept: string | undefined): string | undefined =>
        given === KEPT_SECRET ? kept : typeof given === 'string' ? given : undefined;
      let client: SensorThingsClient;
      try {
        client = clientOf(
          {
            url: String(settings.url ?? ''),
            auth: (settings.auth ?? 'none') as SensorThingsServerConfig['auth'],
            caFile: String(settings.caFile ?? ''),
          },
          {
            username: typeof settings.username === 'string' ? settings.username : undefined,
            password: secret(settings.password, deployed.password),
            token: secret(settings.token, deployed.token),
          },
          10_000,
        );
      } catch (err) {
        res.status(400).json({ ok: false, error: errorText(RED._, err) });
        return;
      }
      answerTest(res, client, true);
    },
  );

  RED.nodes.registerType(
    'sensorthings-server',
    SensorThingsServer as unknown as NodeConstructor<
      Node<Record<keyof Required<SensorThingsCredentials>, unknown>>,
      SensorThingsServerConfig,
      Record<keyof Required<SensorThingsCredentials>, unknown>
    >,
    {
      credentials: {
        username: { type: 'text' },
        password: { type: 'password' },
        token: { type: 'password' },
      },
    },
  );
};

function clientOf(
  config: Pick<SensorThingsServerConfig, 'url' | 'auth' | 'caFile'>,
  credentials: SensorThingsCredentials,
  timeoutMs?: number,
): SensorThingsClient {
  let auth: SensorThingsAuth = { type: 'none' };
  if (config.auth === 'basic')
    auth = {
      type: 'basic',
      username: credentials.username ?? '',
      password: credentials.password ?? '',
    };
  else if (config.auth === 'bearer') auth = { type: 'bearer', token: credentials.token ?? '' };
  return new SensorThingsClient({
    serviceRoot: (config.url ?? '').trim(),
    auth,
    ...(config.caFile?.trim() ? { caFile: config.caFile.trim() } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}
