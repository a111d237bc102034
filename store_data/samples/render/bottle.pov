#version 3.7;
// Glass water bottle, 550 ml, bamboo lid, silicone sleeve.
#include "studio.inc"

#declare Bottle_Glass = difference {
  sor { 12,
    <3.4, -1.0>, <3.25, 0.0>, <3.5, 0.4>, <3.5, 9.0>, <3.5, 16.4>,
    <3.2, 18.1>, <2.5, 19.3>, <1.85, 20.1>, <1.72, 20.7>, <1.72, 21.6>,
    <1.72, 22.0>, <1.72, 23.0>
  }
  sor { 10,
    <3.1, 0.2>, <3.0, 0.6>, <3.2, 1.0>, <3.2, 9.0>, <3.2, 16.3>,
    <2.9, 17.9>, <2.25, 19.1>, <1.55, 20.2>, <1.42, 21.0>, <1.42, 23.0>
  }
  material { Clear_Glass }
  no_shadow
}

#declare Lid = object {
  Round_Cylinder(<0, 20.7, 0>, <0, 23.5, 0>, 1.98, 0.35, 1)
  texture { Bamboo_Tex scale 0.35 rotate z*90 }
}

#declare Sleeve = difference {
  Round_Cylinder(<0, 3.0, 0>, <0, 13.5, 0>, 3.78, 0.2, 1)
  cylinder { <0, 2.0, 0>, <0, 15, 0>, 3.5 }
  texture {
    pigment { rgb SRGB(<0.55, 0.64, 0.55>) }
    normal { bumps 0.05 scale 0.08 }
    finish { diffuse 0.75 ambient 0 specular 0.18 roughness 0.06 }
  }
}

union {
  object { Bottle_Glass } object { Lid } object { Sleeve }
  Glass_Shadow(sor { 5, <3.3, -1>, <3.3, 0.1>, <3.3, 16.4>, <1.6, 20.3>, <1.6, 21> }, <0.93, 0.97, 0.95, 0.55>)
  rotate y*20
}
Shoot(<0, 11.6, 0>, 30, 14, 0)
Flags(40)
