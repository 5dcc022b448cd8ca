/**
 * Sigma with two WebGL contexts instead of three (sigma 3.0.3, pinned in package.json).
 *
 * Sigma draws the nodes and the edges in two WebGL canvases, and the node under the mouse (and the nodes marked
 * `highlighted`) again in a third one above its hover layer. On software GL a WebGL context is the costliest part
 * of a stage: its creation, its drawing buffer at each size, its clear at each drawing and the GPU process's work
 * the page waits for at the end of the first drawing's task. Measured in a bare page (20,000 nodes, headless
 * Chromium, --disable-gpu): the stage 105–124 ms instead of 181–198, the wait after the first drawing 255–280 ms
 * instead of 310–350.
 *
 * Here the hovered and highlighted nodes are drawn in 2D on sigma's hover layer, by the node hover drawer (which
 * draws the node's disc too: see hoverDrawer). Sigma still makes its hover programs; they are given the nodes'
 * context and never draw.
 */
import Sigma from 'sigma';
import type { Attributes } from 'graphology-types';
import type { NodeDisplayData } from 'sigma/types';

/** The parts of sigma 3.0.3 this file replaces or reads. */
interface Inner {
  elements: Record<string, HTMLElement>;
  webGLContexts: Record<string, WebGLRenderingContext>;
  canvasContexts: Record<string, CanvasRenderingContext2D>;
  nodeDataCache: Record<string, NodeDisplayData>;
  hoveredNode: string | null;
  highlightedNodes: Set<string>;
  width: number;
  height: number;
  settings: { defaultDrawNodeHover: (ctx: CanvasRenderingContext2D, data: Record<string, unknown>, settings: unknown) => void };
  framedGraphToViewport(p: { x: number; y: number }): { x: number; y: number };
  scaleSize(size: number): number;
  createWebGLContext(id: string, options?: object): WebGLRenderingContext;
  killLayer(id: string): unknown;
}

/** The id of sigma's layer that this stage does not make. */
const HOVER_NODES = 'hoverNodes';

export class Stage<N extends Attributes = Attributes> extends Sigma<N> {}

const base = Sigma.prototype as unknown as Inner;

Object.assign(Stage.prototype, {
  createWebGLContext(this: Inner, id: string, options?: object): WebGLRenderingContext {
    if (id !== HOVER_NODES) return base.createWebGLContext.call(this, id, options);
    // No canvas in the page: a detached one sigma may size, and the nodes' context for the programs it makes.
    const nodes = this.webGLContexts.nodes;
    if (!nodes) throw new Error('Sigma: the nodes layer must come before the hovered nodes layer');
    this.elements[HOVER_NODES] = document.createElement('canvas');
    this.webGLContexts[HOVER_NODES] = nodes;
    return nodes;
  },

  /** Sigma's version, less its WebGL pass: the hover drawer draws the whole node. */
  renderHighlightedNodes(this: Inner): void {
    const ctx = this.canvasContexts.hovers;
    if (!ctx) return;
    ctx.clearRect(0, 0, this.width, this.height);
    const nodes: string[] = [];
    if (this.hoveredNode && !this.nodeDataCache[this.hoveredNode]?.hidden) nodes.push(this.hoveredNode);
    for (const node of this.highlightedNodes) if (node !== this.hoveredNode) nodes.push(node);
    for (const node of nodes) {
      const data = this.nodeDataCache[node];
      if (!data) continue;
      const { x, y } = this.framedGraphToViewport(data);
      this.settings.defaultDrawNodeHover(ctx, { key: node, ...data, size: this.scaleSize(data.size), x, y }, this.settings);
    }
  },

  killLayer(this: Inner, id: string): unknown {
    // The nodes' context is lost with the nodes layer, once.
    if (id === HOVER_NODES) delete this.webGLContexts[HOVER_NODES];
    return base.killLayer.call(this, id);
  },
});
